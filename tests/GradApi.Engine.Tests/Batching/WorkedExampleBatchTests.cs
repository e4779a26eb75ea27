using GradApi.Engine.Batching;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Batching;

/// <summary>
/// The worked examples as batches: the example's point is one sample among others, scalars are
/// broadcast, grads are asked for by any node (inner nodes and consts too), and reduced.
/// </summary>
public sealed class WorkedExampleBatchTests
{
    // f = (x + y) * z; nodes in request order: x 0, y 1, z 2, q 3, f 4.
    private static GraphSpec AddMul() => Graph.New()
        .Input("x", 0).Input("y", 0).Input("z", 0)
        .Gate("q", "add", "x", "y")
        .Gate("f", "mul", "q", "z")
        .Spec;

    // The neuron from elementary gates (shared/examples/cs231n-sigmoid-gates.json).
    private static GraphSpec Neuron() => Graph.New()
        .Input("w0", 2).Input("x0", -1).Input("w1", -3).Input("x1", -2).Input("w2", -3)
        .Gate("a", "mul", "w0", "x0").Gate("b", "mul", "w1", "x1")
        .Gate("c", "add", "a", "b").Gate("d", "add", "c", "w2")
        .Const("m1", -1).Gate("e", "mul", "d", "m1").Gate("g", "exp", "e")
        .Const("one", 1).Gate("h", "add", "g", "one").Gate("f", "inv", "h")
        .Spec;

    [Fact]
    public void AddMul_TheExampleIsOneSampleAmongOthers()
    {
        Tape tape = Run.CompileOrFail(AddMul(), EvaluationMode.Training);
        var inputs = new BatchInputs(3);
        inputs.Set(0, new double[] { 1, -2, 0.5 });  // x
        inputs.Set(1, new double[] { 2, 5, 0.25 });  // y
        inputs.Set(2, new double[] { 3, -4, -8 });   // z
        using var engine = new BatchEngine();

        BatchResult result = engine.Evaluate(tape, inputs, EvaluationMode.Training, [0, 1, 2, 3], BatchReduce.None);

        Assert.True(result.Succeeded);
        Assert.Equal(-1, result.SampleIndex);
        Assert.Equal([9.0, -12.0, -6.0], result.Values.ToArray());
        // d f / d x = d f / d y = d f / d q = z; d f / d z = x + y.
        Assert.Equal([3.0, -4.0, -8.0], result.Grad(0).ToArray());
        Assert.Equal([3.0, -4.0, -8.0], result.Grad(1).ToArray());
        Assert.Equal([3.0, 3.0, 0.75], result.Grad(2).ToArray());
        Assert.Equal([3.0, -4.0, -8.0], result.Grad(3).ToArray());
    }

    [Fact]
    public void AddMul_BroadcastScalarsAreTheSameAsLanesFilledWithThem()
    {
        Tape tape = Run.CompileOrFail(AddMul(), EvaluationMode.Training);
        var broadcast = new BatchInputs(4);
        broadcast.Set(0, -2);
        broadcast.Set(1, new double[] { 5, 6, 7, 8 });
        broadcast.Set(2, -4);
        var filled = new BatchInputs(4);
        filled.Set(0, new double[] { -2, -2, -2, -2 });
        filled.Set(1, new double[] { 5, 6, 7, 8 });
        filled.Set(2, new double[] { -4, -4, -4, -4 });
        using var engine = new BatchEngine();

        BatchResult a = engine.Evaluate(tape, broadcast, EvaluationMode.Training, [0, 2], BatchReduce.None);
        double[] values = a.Values.ToArray(), dx = a.Grad(0).ToArray(), dz = a.Grad(1).ToArray();
        BatchResult b = engine.Evaluate(tape, filled, EvaluationMode.Training, [0, 2], BatchReduce.None);

        Assert.Equal([-12.0, -16.0, -20.0, -24.0], values);
        Assert.Equal(values, b.Values.ToArray());
        Assert.Equal(dx, b.Grad(0).ToArray());
        Assert.Equal([3.0, 4.0, 5.0, 6.0], dz);
        Assert.Equal(dz, b.Grad(1).ToArray());
    }

    [Fact]
    public void Neuron_GradsOfInnerNodesAndConsts_AreTheExamplesNumbersInEverySample()
    {
        // Every input broadcast at the example's point, B = 5: each sample is the example.
        GraphSpec spec = Neuron();
        Tape tape = Run.CompileOrFail(spec, EvaluationMode.Training);
        var inputs = new BatchInputs(5);
        inputs.Set(0, 2);
        inputs.Set(1, -1);
        inputs.Set(2, -3);
        inputs.Set(3, -2);
        inputs.Set(4, -3);
        using var engine = new BatchEngine();
        int[] nodes = Lanes.AllNodes(spec);
        Run scalar = Run.Of(spec, EvaluationMode.Training);

        BatchResult result = engine.Evaluate(tape, inputs, EvaluationMode.Training, nodes, BatchReduce.None);

        Assert.True(result.Succeeded);
        double s = 1 / (1 + Math.Exp(-1)), ds = s * (1 - s);
        for (int sample = 0; sample < 5; sample++)
        {
            Close.Equal(0.7310585786300049, result.Values[sample], 0, 1e-12, "f");
            Close.Equal(-0.19661193324148185, result.Grad(0)[sample], 0, 1e-12, "w0");
            Close.Equal(0.3932238664829637, result.Grad(1)[sample], 0, 1e-12, "x0");
            Close.Equal(-0.3932238664829637, result.Grad(2)[sample], 0, 1e-12, "w1");
            Close.Equal(-0.5898357997244456, result.Grad(3)[sample], 0, 1e-12, "x1");
            Close.Equal(0.19661193324148185, result.Grad(4)[sample], 0, 1e-12, "w2");
            Close.Equal(-ds, result.Grad(9)[sample], 0, 1e-12, "const m1"); // d e / d m1 = d = 1
            Close.Equal(-s * s, result.Grad(12)[sample], 0, 1e-12, "const one");
            Close.Equal(ds, result.Grad(7)[sample], 0, 1e-12, "inner node c");
            foreach (int node in nodes)
                Lanes.SameBits(scalar.Grad(spec.Id(node)), result.Grad(node)[sample], $"grad of {spec.Id(node)}");
        }
    }

    [Theory]
    [InlineData(BatchReduce.Sum)]
    [InlineData(BatchReduce.Mean)]
    public void Neuron_ReducedGrads_AreTheSumOrMeanOfTheSamplesGrads(BatchReduce reduce)
    {
        GraphSpec spec = Neuron();
        Tape tape = Run.CompileOrFail(spec, EvaluationMode.Training);
        const int size = 1500; // more than one tile
        var lanes = Lanes.Random([1, 3], size, 3); // x0 and x1 vary: data points
        var inputs = Lanes.Inputs(size, lanes);
        int[] nodes = Lanes.AllNodes(spec);
        using var engine = new BatchEngine();
        BatchResult each = engine.Evaluate(tape, inputs, EvaluationMode.Training, nodes, BatchReduce.None);
        double[][] perSample = nodes.Select(k => each.Grad(k).ToArray()).ToArray();
        double[] values = each.Values.ToArray();

        BatchResult reduced = engine.Evaluate(tape, inputs, EvaluationMode.Training, nodes, reduce);

        Assert.True(reduced.Succeeded);
        Assert.Equal(values, reduced.Values.ToArray()); // values stay per sample
        for (int k = 0; k < nodes.Length; k++)
        {
            double sum = 0, magnitude = 0;
            foreach (double g in perSample[k]) { sum += g; magnitude += Math.Abs(g); }
            double expected = reduce == BatchReduce.Sum ? sum : sum / size;
            double scale = reduce == BatchReduce.Sum ? magnitude : magnitude / size;
            Assert.Equal(1, reduced.Grad(k).Length);
            Close.Equal(expected, reduced.Grad(k)[0], 0, 1e-14 * scale + 1e-300, $"reduced grad of {spec.Id(k)}");
        }
    }
}
