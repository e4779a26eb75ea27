using GradApi.Engine.Ops;
using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Ops;

/// <summary>
/// Every gate of the table against central differences of its own forward rule, so an op added
/// to the table is checked here without a line of test code, and fails until its gradient is right.
/// </summary>
public sealed class LocalGradientTests
{
    private const double H = 1e-6;
    private const double Tolerance = 1e-6;

    public static TheoryData<string> Gates()
    {
        var data = new TheoryData<string>();
        foreach (Op op in OpTable.All.Where(op => !op.IsLeaf)) data.Add(op.Name);
        return data;
    }

    /// <summary>Every n-ary gate with 3, 4 and 5 inputs.</summary>
    public static TheoryData<string, int> NAryGates()
    {
        var data = new TheoryData<string, int>();
        foreach (Op op in OpTable.All.Where(op => op.MaxArity == int.MaxValue))
            for (int arity = 3; arity <= 5; arity++) data.Add(op.Name, arity);
        return data;
    }

    [Theory]
    [MemberData(nameof(Gates))]
    public void LocalGradient_AtLeastArity_MatchesCentralDifferences(string name)
    {
        Op op = Lookup(name);
        foreach (double[] x in OpDomains.Points(op, op.MinArity)) AssertMatchesCentralDifferences(op, x);
    }

    [Theory]
    [MemberData(nameof(NAryGates))]
    public void LocalGradient_ManyInputs_MatchesCentralDifferences(string name, int arity)
    {
        Op op = Lookup(name);
        foreach (double[] x in OpDomains.Points(op, arity)) AssertMatchesCentralDifferences(op, x);
    }

    [Fact]
    public void NAryGates_AreAddMulMaxMin()
    {
        // Guards the theory above against running over nothing.
        Assert.Equal(["add", "max", "min", "mul"],
            OpTable.All.Where(op => op.MaxArity == int.MaxValue).Select(op => op.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(new[] { 2.0, 0.0, 3.0 }, new[] { 0.0, 6.0, 0.0 })]
    [InlineData(new[] { 0.0, 0.0, 5.0 }, new[] { 0.0, 0.0, 0.0 })]
    [InlineData(new[] { 0.0, 4.0 }, new[] { 4.0, 0.0 })]
    public void LocalGradient_MulWithZeroInputs_IsTheProductOfTheOthers(double[] x, double[] expected)
    {
        // Exact zeros are where a gradient computed as product / x[k] would divide by zero.
        Op op = Lookup("mul");
        var local = new double[x.Length];
        op.LocalGradient(x, op.Forward(x), local);
        Assert.Equal(expected, local);
    }

    private static void AssertMatchesCentralDifferences(Op op, double[] x)
    {
        double y = op.Forward(x);
        var local = new double[x.Length];
        op.LocalGradient(x, y, local);
        for (int k = 0; k < x.Length; k++)
        {
            int input = k;
            double numeric = Close.CentralDifference(v =>
            {
                var moved = (double[])x.Clone();
                moved[input] = v;
                return op.Forward(moved);
            }, x[k], H);
            Close.Equal(numeric, local[k], Tolerance, Tolerance,
                $"d {op.Name} / d x[{k}] at ({string.Join(", ", x.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))})");
        }
    }

    private static Op Lookup(string name)
    {
        Assert.True(OpTable.TryGet(name, out Op? op));
        return op;
    }
}
