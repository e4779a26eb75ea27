using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Evaluation;

/// <summary>max and min route the whole gradient to one input; relu and abs are flat at 0.</summary>
public sealed class RoutingTests
{
    [Theory]
    [InlineData("max", 2.0, 2.0, "a")]
    [InlineData("min", 2.0, 2.0, "a")]
    [InlineData("max", 1.0, 3.0, "b")]
    [InlineData("min", 1.0, 3.0, "a")]
    public void Backward_MaxMinOfTwo_RoutesToTheFirstWinner(string op, double a, double b, string winner)
    {
        var run = Graph.New().Input("a", a).Input("b", b).Gate("f", op, "a", "b").Train();

        Assert.Equal(winner == "a" ? a : b, run.Value);
        Assert.Equal(winner == "a" ? 1 : 0, run.Grad("a"));
        Assert.Equal(winner == "b" ? 1 : 0, run.Grad("b"));
    }

    [Fact]
    public void Backward_TieWithInputsSwapped_RoutesToWhicheverIsNamedFirst()
    {
        var run = Graph.New().Input("a", 2).Input("b", 2).Gate("f", "max", "b", "a").Train();

        Assert.Equal(1, run.Grad("b"));
        Assert.Equal(0, run.Grad("a"));
    }

    [Theory]
    [InlineData("max", new[] { 1.0, 5.0, 5.0, 0.0 }, 1)]
    [InlineData("max", new[] { 5.0, 5.0, 5.0 }, 0)]
    [InlineData("min", new[] { 3.0, -1.0, 2.0, -1.0, -1.0 }, 1)]
    public void Backward_NAryTie_RoutesToTheFirstWinnerOnly(string op, double[] values, int winner)
    {
        var builder = Graph.New();
        var ids = values.Select((_, k) => $"x{k}").ToArray();
        for (int k = 0; k < values.Length; k++) builder.Input(ids[k], values[k]);
        var run = builder.Gate("f", op, ids).Train();

        Assert.Equal(values[winner], run.Value);
        for (int k = 0; k < values.Length; k++) Assert.Equal(k == winner ? 1 : 0, run.Grad(ids[k]));
    }

    [Fact]
    public void Backward_MaxOfTheSameNodeTwice_GivesItTheWholeGradientOnce()
    {
        var run = Graph.New().Input("a", 2).Gate("f", "max", "a", "a").Seed(3).Train();

        Assert.Equal(3, run.Grad("a"));
    }

    [Theory]
    [InlineData("relu")]
    [InlineData("abs")]
    public void Backward_ReluAndAbsAtZero_GiveGradZero(string op)
    {
        var run = Graph.New().Input("x", 0).Gate("f", op, "x").Train();

        Assert.Null(run.Error);
        Assert.Equal(0, run.Value);
        Assert.Equal(0, run.Grad("x"));
    }

    [Theory]
    [InlineData("relu", -1.5, 0.0, 0.0)]
    [InlineData("relu", 1.5, 1.5, 1.0)]
    [InlineData("abs", -1.5, 1.5, -1.0)]
    [InlineData("abs", 1.5, 1.5, 1.0)]
    public void Backward_ReluAndAbsAwayFromZero_GiveTheirSlope(string op, double x, double value, double grad)
    {
        var run = Graph.New().Input("x", x).Gate("f", op, "x").Train();

        Assert.Equal(value, run.Value);
        Assert.Equal(grad, run.Grad("x"));
    }
}
