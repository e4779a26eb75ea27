using GradApi.Engine.Ops;

namespace GradApi.Engine.Tests.Ops;

/// <summary>
/// Points where each op is defined and smooth, well away from kinks and domain edges: log and
/// sqrt on positives, inv and div away from 0, pow with a base above 0, relu and abs away from 0,
/// and every point's inputs at least 0.1 apart so max and min have no near-tie. An op not named
/// here gets positive inputs away from 0, the safest guess for a new op.
/// </summary>
internal static class OpDomains
{
    private const int PointsPerOp = 8;

    public static IReadOnlyList<double[]> Points(Op op, int arity)
    {
        var rng = new Random(StableHash(op.Name) * 31 + arity);
        var points = new List<double[]>(PointsPerOp);
        while (points.Count < PointsPerOp)
        {
            var x = new double[arity];
            for (int k = 0; k < arity; k++) x[k] = Draw(rng, op.Name, k);
            if (WellSeparated(x)) points.Add(x);
        }
        return points;
    }

    private static double Draw(Random rng, string op, int k) => op switch
    {
        "add" or "sub" or "mul" or "neg" or "exp" or "sin" or "cos" or "tanh" or "sigmoid" or "max" or "min"
            => Uniform(rng, -3, 3),
        "relu" or "abs" => AwayFromZero(rng, 0.1, 3),
        "inv" => AwayFromZero(rng, 0.3, 3),
        "div" => k == 0 ? Uniform(rng, -3, 3) : AwayFromZero(rng, 0.3, 3),
        "pow" => k == 0 ? Uniform(rng, 0.2, 3) : Uniform(rng, -2.5, 2.5),
        _ => Uniform(rng, 0.2, 3), // log, sqrt, and any op added later
    };

    private static double Uniform(Random rng, double lo, double hi) => lo + (hi - lo) * rng.NextDouble();

    private static double AwayFromZero(Random rng, double lo, double hi) =>
        Uniform(rng, lo, hi) * (rng.Next(2) == 0 ? -1 : 1);

    private static bool WellSeparated(double[] x)
    {
        for (int i = 0; i < x.Length; i++)
            for (int j = i + 1; j < x.Length; j++)
                if (Math.Abs(x[i] - x[j]) < 0.1) return false;
        return true;
    }

    /// <summary>string.GetHashCode changes from run to run; the points should not.</summary>
    private static int StableHash(string s)
    {
        int hash = 17;
        foreach (char c in s) hash = unchecked(hash * 31 + c);
        return hash & 0x7FFFFFFF;
    }
}
