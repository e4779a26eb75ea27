using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Evaluation;

/// <summary>A non-finite value or grad stops the pass and names the first node that produced it.</summary>
public sealed class NumericErrorTests
{
    [Theory]
    [InlineData(EvaluationMode.Training)]
    [InlineData(EvaluationMode.Inference)]
    public void Forward_LogOfNegative_NamesTheNodeTheOpAndItsInput(EvaluationMode mode)
    {
        var run = Run.Of(Graph.New().Input("x", -1).Gate("f", "log", "x").Spec, mode);

        NumericError error = Assert.IsType<NumericError>(run.Error);
        Assert.Equal(("f", 1, "log", Pass.Forward), (error.NodeId, error.NodeIndex, error.Op, error.Pass));
        Assert.True(double.IsNaN(error.Result));
        Assert.Equal([-1.0], error.InputValues);
        Assert.Contains("'f'", error.Message, StringComparison.Ordinal);
        Assert.Contains("log", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(EvaluationMode.Training)]
    [InlineData(EvaluationMode.Inference)]
    public void Forward_ZeroOverZero_IsANaNAtTheDiv(EvaluationMode mode)
    {
        var run = Run.Of(Graph.New().Input("a", 0).Const("b", 0).Gate("q", "div", "a", "b").Gate("f", "neg", "q").Spec, mode);

        NumericError error = Assert.IsType<NumericError>(run.Error);
        Assert.Equal(("q", "div", Pass.Forward), (error.NodeId, error.Op, error.Pass));
        Assert.True(double.IsNaN(error.Result));
        Assert.Equal([0.0, 0.0], error.InputValues);
    }

    [Theory]
    [InlineData("exp", new[] { 1000.0 })]
    [InlineData("mul", new[] { 1e200, 1e200 })]
    [InlineData("inv", new[] { 0.0 })]
    [InlineData("pow", new[] { 10.0, 400.0 })]
    public void Forward_Overflow_IsAnInfinityAtTheGate(string op, double[] inputs)
    {
        var builder = Graph.New();
        var ids = inputs.Select((_, k) => $"x{k}").ToArray();
        for (int k = 0; k < inputs.Length; k++) builder.Input(ids[k], inputs[k]);
        var run = builder.Gate("g", op, ids).Gate("f", "tanh", "g").Train();

        NumericError error = Assert.IsType<NumericError>(run.Error);
        Assert.Equal(("g", op, Pass.Forward), (error.NodeId, error.Op, error.Pass));
        Assert.Equal(double.PositiveInfinity, error.Result);
        Assert.Equal(inputs, error.InputValues);
    }

    [Fact]
    public void Backward_SqrtAtZero_FailsInTheBackwardPassOnly()
    {
        // sqrt(0) = 0 is fine forward; its local gradient 1/(2 sqrt 0) is infinite, so the grad
        // sqrt sends back to t is infinite: f is the gate that produced it, t the input it reached.
        var builder = Graph.New().Input("x", 0).Const("c", 0).Gate("t", "add", "x", "c").Gate("f", "sqrt", "t");

        var inference = builder.Infer();
        Assert.Null(inference.Error);
        Assert.Equal(0, inference.Value);

        NumericError error = Assert.IsType<NumericError>(builder.Train().Error);
        Assert.Equal(("f", "sqrt", Pass.Backward, "t"), (error.NodeId, error.Op, error.Pass, error.Input));
        Assert.Equal(double.PositiveInfinity, error.Result);
        Assert.Equal([0.0], error.InputValues);
        Assert.Contains("backward", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Backward_SqrtOfALeafAtZero_NamesTheSqrtGateAndTheLeafItSendsTo()
    {
        var run = Graph.New().Input("x", 0).Gate("f", "sqrt", "x").Train();

        NumericError error = Assert.IsType<NumericError>(run.Error);
        Assert.Equal(("f", "sqrt", Pass.Backward, "x"), (error.NodeId, error.Op, error.Pass, error.Input));
        Assert.Equal([0.0], error.InputValues);
    }

    [Fact]
    public void Backward_FiniteContributionsThatOverflowTogether_NameTheGateWhoseSumOverflowed()
    {
        // With seed 1e308, a and b each get 1e308 and send -1e308 back to x. Backward runs
        // f, b, a: b's share fits, a's brings x's sum to -infinity, so a is named.
        var graph = Graph.New().Input("x", 1).Gate("a", "neg", "x").Gate("b", "neg", "x").Gate("f", "add", "a", "b");

        Assert.Null(graph.Train().Error);
        Assert.Equal(-2, graph.Train().Grad("x"));
        NumericError error = Assert.IsType<NumericError>(graph.Seed(1e308).Train().Error);
        Assert.Equal(("a", "neg", Pass.Backward, "x"), (error.NodeId, error.Op, error.Pass, error.Input));
        Assert.Equal(double.NegativeInfinity, error.Result);
    }

    [Fact]
    public void Backward_InfiniteLocalGradientTimesZeroUpstream_IsNoError()
    {
        // sqrt(0) has an infinite local gradient, but nothing flows into it: f = 0 * sqrt(x).
        var run = Graph.New().Input("x", 0).Const("zero", 0).Gate("s", "sqrt", "x").Gate("f", "mul", "zero", "s").Train();

        Assert.Null(run.Error);
        Assert.Equal(0, run.Grad("s"));
        Assert.Equal(0, run.Grad("x"));
    }

    [Theory]
    [InlineData(EvaluationMode.Training)]
    [InlineData(EvaluationMode.Inference)]
    public void Forward_TwoFailingNodes_ReportsTheOneEvaluatedFirst(EvaluationMode mode)
    {
        // p = log(-1) and q = sqrt(m) with m = neg(neg(-1)) = -1 both fail on their own; the array
        // lists q before p, but q needs two more nodes to run first.
        var spec = Graph.New()
            .Gate("f", "add", "q", "p")
            .Gate("q", "sqrt", "m")
            .Gate("m", "neg", "n")
            .Gate("n", "neg", "x")
            .Gate("p", "log", "x")
            .Input("x", -1)
            .Spec;
        Tape tape = Run.CompileOrFail(spec, mode);
        using var engine = new GraphEngine();

        var error = engine.Evaluate(tape, mode).Error;

        Assert.NotNull(error);
        int p = tape.PositionOf(4), q = tape.PositionOf(1);
        Assert.Equal(Math.Min(p, q) == p ? "p" : "q", error.NodeId);
        Assert.Equal(Pass.Forward, error.Pass);
        Assert.Equal(-1.0, Assert.Single(error.InputValues));
    }

    [Fact]
    public void Forward_FailureUpstream_IsReportedNotTheNodesAfterIt()
    {
        // a = log(-2) fails; b = sqrt(a) would fail too, and comes first in the array.
        var run = Graph.New().Gate("b", "sqrt", "a").Gate("a", "log", "x").Input("x", -2).Train();

        NumericError error = Assert.IsType<NumericError>(run.Error);
        Assert.Equal(("a", "log"), (error.NodeId, error.Op));
        Assert.Equal([-2.0], error.InputValues);
    }
}
