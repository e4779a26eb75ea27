using GradApi.Engine.Batching;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Batching;

/// <summary>
/// A value or grad that is not finite in some sample: the batch fails with the error the scalar
/// engine gives for that sample, and names the lowest such sample.
/// </summary>
public sealed class BatchNumericErrorTests
{
    /// <summary>Samples of x: 1 + 0.01 * i, except <paramref name="bad"/> at the given samples.</summary>
    private static double[] Samples(int size, params (int Sample, double Value)[] bad)
    {
        double[] x = Enumerable.Range(0, size).Select(i => 1 + 0.01 * i).ToArray();
        foreach (var (sample, value) in bad) x[sample] = value;
        return x;
    }

    private static BatchResult Evaluate(GraphSpec spec, EvaluationMode mode, params (int Node, double[] Lanes)[] lanes)
    {
        Tape tape = Run.CompileOrFail(spec, mode);
        var inputs = new BatchInputs(lanes[0].Lanes.Length);
        foreach (var (node, values) in lanes) inputs.Set(node, values);
        using var engine = new BatchEngine();
        BatchResult result = engine.Evaluate(tape, inputs, mode, Lanes.AllNodes(spec), BatchReduce.None);
        Assert.False(result.Succeeded, "the batch should have failed");
        return result;
    }

    /// <summary>The scalar engine's error for one sample of x (node 0).</summary>
    private static NumericError ScalarError(GraphSpec spec, EvaluationMode mode, double x) =>
        Assert.IsType<NumericError>(Run.Of(Lanes.WithInputs(spec, new Dictionary<int, double> { [0] = x }), mode).Error);

    [Theory]
    [InlineData(EvaluationMode.Training)]
    [InlineData(EvaluationMode.Inference)]
    public void Forward_LogOfZeroInSample17Only_NamesTheNodeAndSample17(EvaluationMode mode)
    {
        GraphSpec spec = Graph.New().Input("x", 1).Gate("l", "log", "x").Gate("f", "sin", "l").Spec;

        BatchResult result = Evaluate(spec, mode, (0, Samples(40, (17, 0.0), (30, -1.0))));

        NumericError error = result.Error!;
        Assert.Equal(17, result.SampleIndex);
        Assert.Equal(("l", 1, "log", Pass.Forward), (error.NodeId, error.NodeIndex, error.Op, error.Pass));
        Assert.Equal(double.NegativeInfinity, error.Result);
        Assert.Equal([0.0], error.InputValues);
        Assert.Equal(ScalarError(spec, mode, 0.0).Message, error.Message);
        Assert.True(result.Values.IsEmpty);
    }

    [Fact]
    public void Backward_SqrtAtZeroInSample17Only_NamesTheGateTheInputAndSample17()
    {
        // sqrt(0) = 0 is finite; its local gradient is not, so the grad sent back to x is.
        GraphSpec spec = Graph.New().Input("x", 1).Gate("r", "sqrt", "x").Gate("f", "tanh", "r").Spec;

        BatchResult result = Evaluate(spec, EvaluationMode.Training, (0, Samples(40, (17, 0.0), (33, 0.0))));

        NumericError error = result.Error!;
        Assert.Equal(17, result.SampleIndex);
        Assert.Equal(("r", "sqrt", Pass.Backward, "x"), (error.NodeId, error.Op, error.Pass, error.Input));
        Assert.Equal(double.PositiveInfinity, error.Result);
        Assert.Equal(ScalarError(spec, EvaluationMode.Training, 0.0).Message, error.Message);

        // Inference has no backward pass: nothing fails.
        var inputs = new BatchInputs(40);
        inputs.Set(0, Samples(40, (17, 0.0)));
        using var engine = new BatchEngine();
        BatchResult inference = engine.Evaluate(Run.CompileOrFail(spec, EvaluationMode.Inference), inputs, EvaluationMode.Inference, [], BatchReduce.None);
        Assert.True(inference.Succeeded);
        Assert.Equal(0.0, inference.Values[17]);
    }

    [Fact]
    public void Backward_OnATapeCompiledForInference_NamesTheInputsValuesLongAfterTheirSlotsWereReused()
    {
        // Training on a tape with an inference plan keeps values in reused slots: by the time backward
        // fails at r, x's value is long gone from its row, yet the error still gives it.
        GraphSpec spec = Graph.New().Input("x", 1)
            .Gate("r", "sqrt", "x").Gate("t", "tanh", "r").Gate("u", "sin", "t").Gate("v", "cos", "u").Gate("f", "add", "v", "u").Spec;
        Tape tape = Run.CompileOrFail(spec, EvaluationMode.Inference);
        var inputs = new BatchInputs(40);
        inputs.Set(0, Samples(40, (17, 0.0)));
        using var engine = new BatchEngine();

        BatchResult result = engine.Evaluate(tape, inputs, EvaluationMode.Training, [0], BatchReduce.None);

        Assert.Equal(17, result.SampleIndex);
        NumericError error = result.Error!;
        Assert.Equal(("r", Pass.Backward, "x", 0.0), (error.NodeId, error.Pass, error.Input, error.InputValues.Single()));
        Assert.Equal(ScalarError(spec, EvaluationMode.Training, 0.0).Message, error.Message);
    }

    [Fact]
    public void Forward_AnEarlierNodeInALaterTile_IsTheOneNamed()
    {
        // Sample 2000 fails at the first gate, sample 5 at the last: the scalar engine would report the
        // first gate first, so its sample is the one named, though it sits in a later tile.
        GraphSpec spec = Graph.New().Input("x", 1).Input("y", 1)
            .Gate("l", "log", "x").Gate("m", "log", "y").Gate("f", "add", "l", "m").Spec;
        double[] x = Samples(2500, (2000, -1.0), (2400, -1.0));
        double[] y = Samples(2500, (5, -1.0));

        BatchResult result = Evaluate(spec, EvaluationMode.Training, (0, x), (1, y));

        Assert.Equal(("l", 2000), (result.Error!.NodeId, result.SampleIndex));
    }

    [Fact]
    public void Forward_AForwardFailureInALaterTile_ComesBeforeABackwardOneInAnEarlierTile()
    {
        GraphSpec spec = Graph.New().Input("x", 1).Input("y", 1)
            .Gate("r", "sqrt", "x").Gate("l", "log", "y").Gate("f", "add", "r", "l").Spec;
        double[] x = Samples(2500, (3, 0.0));        // backward failure in sample 3
        double[] y = Samples(2500, (2222, 0.0));     // forward failure in sample 2222

        BatchResult result = Evaluate(spec, EvaluationMode.Training, (0, x), (1, y));

        Assert.Equal(("l", Pass.Forward, 2222), (result.Error!.NodeId, result.Error.Pass, result.SampleIndex));
    }

    [Fact]
    public void Backward_ALaterGateInALaterTile_IsTheOneNamed()
    {
        // Backward runs from the output down: a failure at the gate nearer the output is reported first,
        // even when it is in a later sample than one at a gate further down.
        GraphSpec spec = Graph.New().Input("x", 1).Input("y", 1)
            .Gate("r", "sqrt", "x").Gate("s", "sqrt", "y").Gate("f", "add", "r", "s").Spec;
        Tape tape = Run.CompileOrFail(spec, EvaluationMode.Training);
        bool rLater = tape.PositionOf(2) > tape.PositionOf(3);
        double[] early = Samples(2500, (4, 0.0)), late = Samples(2500, (2100, 0.0));

        BatchResult result = Evaluate(spec, EvaluationMode.Training, (0, rLater ? late : early), (1, rLater ? early : late));

        Assert.Equal((rLater ? "r" : "s", Pass.Backward, 2100), (result.Error!.NodeId, result.Error.Pass, result.SampleIndex));
    }

    [Fact]
    public void Backward_AnInfiniteLocalGradientThatMeetsAZeroGrad_IsNoError()
    {
        // max(sqrt(x), 5): where sqrt loses, no grad reaches it, and the scalar engine sends nothing on,
        // not even 0 * infinity. The batch must agree in every sample.
        GraphSpec spec = Graph.New().Input("x", 1).Const("five", 5)
            .Gate("r", "sqrt", "x").Gate("f", "max", "r", "five").Spec;
        var lanes = new Dictionary<int, double[]> { [0] = Samples(20, (17, 0.0), (3, 0.0)) };

        Lanes.AgreeWithScalar(spec, lanes, 20, EvaluationMode.Training);
    }

    [Fact]
    public void Forward_OverflowingProductWithAZeroInput_IsZeroInEveryLane()
    {
        // mul's rule: a zero input makes the product 0, even where the others' product overflows.
        GraphSpec spec = Graph.New().Input("a", 1e200).Input("b", 1e200).Input("z", 0)
            .Gate("p", "mul", "a", "b", "z").Gate("f", "tanh", "p").Spec;
        var lanes = new Dictionary<int, double[]> { [2] = [0, 1e-300, 0, -0.0] };

        Tape tape = Run.CompileOrFail(spec, EvaluationMode.Inference);
        using var engine = new BatchEngine();
        BatchResult result = engine.Evaluate(tape, Lanes.Inputs(4, lanes), EvaluationMode.Inference, [], BatchReduce.None);

        Assert.Equal(("p", Pass.Forward, 1), (result.Error!.NodeId, result.Error.Pass, result.SampleIndex));
        lanes[2] = [0, 0, -0.0, 0];
        Lanes.AgreeWithScalar(spec, lanes, 4, EvaluationMode.Inference);
    }
}
