namespace GradApi.Engine.Tests.Support;

/// <summary>
/// The ops of the wire contract written out again, independently of the engine's table, as the
/// referee for forward values. Also says how far an op's inputs are from a kink, where a finite
/// difference would straddle two one-sided slopes.
/// </summary>
internal static class ReferenceOps
{
    public static double Apply(string op, IReadOnlyList<double> x) => op switch
    {
        "add" => Sum(x),
        "sub" => x[0] - x[1],
        "mul" => Product(x),
        "div" => x[0] / x[1],
        "neg" => -x[0],
        "inv" => 1 / x[0],
        "pow" => Math.Pow(x[0], x[1]),
        "exp" => Math.Exp(x[0]),
        "log" => Math.Log(x[0]),
        "sqrt" => Math.Sqrt(x[0]),
        "sigmoid" => 1 / (1 + Math.Exp(-x[0])),
        "tanh" => Math.Tanh(x[0]),
        "relu" => x[0] > 0 ? x[0] : 0,
        "abs" => Math.Abs(x[0]),
        "sin" => Math.Sin(x[0]),
        "cos" => Math.Cos(x[0]),
        "max" => x.Max(),
        "min" => x.Min(),
        _ => throw new NotSupportedException($"ReferenceOps does not know op '{op}': add its forward rule here."),
    };

    /// <summary>
    /// How far the inputs are from a point where the op is not differentiable: |a| for relu and abs;
    /// for max and min, the gap between the winner and the closest input from another node
    /// (the same node named twice is no kink: max(a, a) = a). Infinity for smooth ops.
    /// </summary>
    public static double KinkMargin(string op, IReadOnlyList<double> x, IReadOnlyList<int> sources)
    {
        switch (op)
        {
            case "relu":
            case "abs":
                return Math.Abs(x[0]);
            case "max":
            case "min":
                double winner = op == "max" ? x.Max() : x.Min();
                int w = IndexOf(x, winner);
                double margin = double.PositiveInfinity;
                for (int k = 0; k < x.Count; k++)
                    if (sources[k] != sources[w]) margin = Math.Min(margin, Math.Abs(x[k] - winner));
                return margin;
            default:
                return double.PositiveInfinity;
        }
    }

    private static int IndexOf(IReadOnlyList<double> x, double v)
    {
        for (int k = 0; k < x.Count; k++)
            if (x[k] == v) return k;
        return -1;
    }

    private static double Sum(IReadOnlyList<double> x)
    {
        double sum = 0;
        foreach (double v in x) sum += v;
        return sum;
    }

    /// <summary>The product; exactly 0 when a factor is 0, even where the others' product overflows.</summary>
    private static double Product(IReadOnlyList<double> x)
    {
        foreach (double v in x)
            if (v == 0) return 0;
        double product = 1;
        foreach (double v in x) product *= v;
        return product;
    }
}
