using GradApi.Engine.Ops;

namespace GradApi.Engine.Tests.Ops;

/// <summary>At points where a gate is not differentiable the contract picks one slope; these pin it.</summary>
public sealed class KinkTests
{
    [Theory]
    [InlineData("relu")]
    [InlineData("abs")]
    public void LocalGradient_AtZero_IsZero(string name)
    {
        Op op = Lookup(name);
        var local = new double[] { double.NaN };
        op.LocalGradient([0.0], op.Forward([0.0]), local);
        Assert.Equal(0.0, local[0]);
    }

    [Theory]
    [InlineData("relu", -2.0, 0.0)]
    [InlineData("relu", 2.0, 1.0)]
    [InlineData("abs", -2.0, -1.0)]
    [InlineData("abs", 2.0, 1.0)]
    public void LocalGradient_AwayFromZero_IsTheSlope(string name, double a, double slope)
    {
        Op op = Lookup(name);
        var local = new double[1];
        op.LocalGradient([a], op.Forward([a]), local);
        Assert.Equal(slope, local[0]);
    }

    [Theory]
    [InlineData("max", new[] { 2.0, 2.0 }, 0)]
    [InlineData("max", new[] { 1.0, 5.0, 5.0 }, 1)]
    [InlineData("max", new[] { 5.0, 1.0, 5.0, 5.0 }, 0)]
    [InlineData("min", new[] { -1.0, -1.0 }, 0)]
    [InlineData("min", new[] { 4.0, 0.5, 3.0, 0.5 }, 1)]
    public void LocalGradient_Tie_RoutesEverythingToTheFirstWinner(string name, double[] x, int winner)
    {
        Op op = Lookup(name);
        var local = Enumerable.Repeat(double.NaN, x.Length).ToArray();
        op.LocalGradient(x, op.Forward(x), local);
        for (int k = 0; k < x.Length; k++) Assert.Equal(k == winner ? 1.0 : 0.0, local[k]);
    }

    [Theory]
    [InlineData("relu", new[] { 0.0 }, true)]
    [InlineData("relu", new[] { 1e-9 }, false)]
    [InlineData("abs", new[] { 0.0 }, true)]
    [InlineData("abs", new[] { -0.5 }, false)]
    [InlineData("max", new[] { 3.0, 3.0, 1.0 }, true)]
    [InlineData("max", new[] { 1.0, 1.0, 3.0 }, false)]
    [InlineData("min", new[] { 3.0, 1.0, 1.0 }, true)]
    [InlineData("min", new[] { 3.0, 1.0, 2.0 }, false)]
    public void Kink_FlagsExactlyTheNonDifferentiablePoints(string name, double[] x, bool kink)
    {
        Op op = Lookup(name);
        Assert.NotNull(op.Kink);
        Assert.Equal(kink, op.Kink(x, op.Forward(x)));
    }

    [Fact]
    public void Kink_SmoothOpsHaveNoKinkRule_PowFlagsItsExponentConvention()
    {
        var withKink = OpTable.All.Where(op => op.Kink is not null).Select(op => op.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["abs", "max", "min", "pow", "relu"], withKink);
    }

    private static Op Lookup(string name)
    {
        Assert.True(OpTable.TryGet(name, out Op? op));
        return op;
    }
}
