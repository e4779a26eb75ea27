using GradApi.Engine.Ops;
using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Ops;

public sealed class ForwardRuleTests
{
    [Theory]
    [MemberData(nameof(LocalGradientTests.Gates), MemberType = typeof(LocalGradientTests))]
    public void Forward_MatchesTheContractFormula(string name)
    {
        Assert.True(OpTable.TryGet(name, out Op? op));
        foreach (int arity in op.MaxArity == int.MaxValue ? [2, 3, 5] : new[] { op.MinArity })
            foreach (double[] x in OpDomains.Points(op, arity))
                Close.Equal(ReferenceOps.Apply(name, x), op.Forward(x), 1e-14, 1e-300, $"{name}({string.Join(", ", x)})");
    }

    [Theory]
    [InlineData("sigmoid", 800, 1)]
    [InlineData("sigmoid", -800, 0)]
    [InlineData("tanh", 800, 1)]
    [InlineData("relu", -3, 0)]
    [InlineData("abs", -3, 3)]
    public void Forward_AtExtremes_StaysFinite(string name, double a, double expected)
    {
        Assert.True(OpTable.TryGet(name, out Op? op));
        double y = op.Forward([a]);
        Assert.True(double.IsFinite(y));
        Close.Equal(expected, y, 1e-15, 1e-300);
    }

    [Theory]
    [InlineData(1e200, 1e200, 0)]
    [InlineData(1e200, 0, 1e200)]
    [InlineData(0, 1e200, 1e200)]
    [InlineData(-1e200, 1e300, -0.0)]
    public void Mul_ZeroTimesAnOverflow_IsZeroInEveryOrder(double a, double b, double c)
    {
        Assert.True(OpTable.TryGet("mul", out Op? op));
        Assert.Equal(0, op.Forward([a, b, c]));
    }

    [Fact]
    public void Mul_OverflowWithoutAZero_StaysInfinite() // for the engine to report, not to hide
    {
        Assert.True(OpTable.TryGet("mul", out Op? op));
        Assert.Equal(double.PositiveInfinity, op.Forward([1e200, 1e200, 2]));
    }
}
