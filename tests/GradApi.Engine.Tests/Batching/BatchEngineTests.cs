using GradApi.Engine.Batching;
using GradApi.Engine.Buffers;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Ops;
using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Batching;

/// <summary>The batch engine's contract: sizes, reuse, sharing a tape, deep graphs, what it refuses.</summary>
public sealed class BatchEngineTests
{
    private static GraphSpec Dag(int seed = 21) => EveryOpGraphs.Generate(50, seed);

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(1023)]
    [InlineData(1025)]
    public void Sizes_OneAndNotAMultipleOfTheVectorOrTile_AreTheScalarAnswers(int size)
    {
        GraphSpec spec = Dag();
        var lanes = Lanes.Random(EveryOpGraphs.Inputs(spec), size, size);
        int[] samples = [0, size / 2, size - 1];
        Lanes.AgreeWithScalar(spec, lanes, size, EvaluationMode.Training, samples.Distinct());
        Lanes.AgreeWithScalar(spec, lanes, size, EvaluationMode.Inference, samples.Distinct());
    }

    [Fact]
    public async Task OneTape_EvaluatedBySeveralEnginesAtOnce_GivesEachTheSameAnswer()
    {
        GraphSpec spec = Dag();
        Tape tape = Run.CompileOrFail(spec, EvaluationMode.Inference); // runs in training too
        const int size = 600;
        var lanes = Lanes.Random(EveryOpGraphs.Inputs(spec), size, 5);
        int[] nodes = Lanes.AllNodes(spec);
        (double[] Values, double[] Grads) Evaluate()
        {
            using var engine = new BatchEngine();
            var inputs = Lanes.Inputs(size, lanes);
            var answers = new List<double>();
            for (int round = 0; round < 5; round++)
            {
                BatchResult result = engine.Evaluate(tape, inputs, EvaluationMode.Training, nodes, BatchReduce.None);
                Assert.True(result.Succeeded);
                answers.Clear();
                foreach (int node in nodes) answers.AddRange(result.Grad(node).ToArray());
                engine.Evaluate(tape, inputs, EvaluationMode.Inference, [], BatchReduce.None);
            }
            return (engine.Evaluate(tape, inputs, EvaluationMode.Inference, [], BatchReduce.None).Values.ToArray(), answers.ToArray());
        }

        var expected = Evaluate();
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(Evaluate)));

        foreach (var (values, grads) in answers)
        {
            Assert.Equal(expected.Values, values);
            Assert.Equal(expected.Grads, grads);
        }
    }

    [Fact]
    public void GatesTheOutputDoesNotDependOn_GetGradZeroAndSendNothing_AsInTheScalarEngine()
    {
        // b and c hang off x but do not lead to the output f; sqrt's local gradient at x = 0 is infinite,
        // which a grad of 0 must not turn into NaN. x's first grad comes from f, its only path to it.
        GraphSpec spec = Graph.New().Input("x", 1).Input("y", 2)
            .Gate("b", "sqrt", "x").Gate("c", "tanh", "b").Gate("f", "mul", "x", "y").Output("f").Spec;
        double[] x = [0, 1, -0.0, 4, 0.25, 9, 0, 2, 3];
        var lanes = new Dictionary<int, double[]> { [0] = x, [1] = [.. x.Select(v => v - 1)] };

        foreach (EvaluationMode compiled in new[] { EvaluationMode.Training, EvaluationMode.Inference })
        {
            Tape tape = Run.CompileOrFail(spec, compiled);
            using var engine = new BatchEngine();
            BatchResult batch = engine.Evaluate(tape, Lanes.Inputs(x.Length, lanes), EvaluationMode.Training, Lanes.AllNodes(spec), BatchReduce.None);
            Assert.True(batch.Succeeded, batch.Error?.Message);
            for (int sample = 0; sample < x.Length; sample++)
            {
                Run scalar = Lanes.Scalar(spec, lanes, sample, EvaluationMode.Training);
                foreach (int node in Lanes.AllNodes(spec))
                    Lanes.SameBits(scalar.Grad(spec.Id(node)), batch.Grad(node)[sample], $"sample {sample}: the grad of '{spec.Id(node)}'");
                Assert.Equal(0.0, batch.Grad(2)[sample]);
            }
        }
    }

    [Fact]
    public void Chain_TenToTheFiveDeep_RunsWithoutRecursionAndAgreesWithTheScalarEngine()
    {
        const int depth = 100_000;
        var spec = new GraphSpec(depth, depth);
        spec.AddNode("x", "input", 0.5, null);
        for (int i = 1; i < depth; i++) spec.AddNode($"s{i}", i % 2 == 0 ? "sin" : "tanh", null, [i == 1 ? "x" : $"s{i - 1}"]);
        double[] x = [0.5, -0.25, 1, 0.125, -1, 0.75, 0.3, -0.6, 0.9];
        var lanes = new Dictionary<int, double[]> { [0] = x };

        Tape tape = Run.CompileOrFail(spec, EvaluationMode.Training);
        using var engine = new BatchEngine();
        BatchResult result = engine.Evaluate(tape, Lanes.Inputs(x.Length, lanes), EvaluationMode.Training, [0, depth / 2], BatchReduce.None);

        Assert.True(result.Succeeded);
        using var scalarEngine = new GraphEngine();
        foreach (int sample in new[] { 0, 4, 8 })
        {
            Tape one = Run.CompileOrFail(Lanes.WithInputs(spec, new Dictionary<int, double> { [0] = x[sample] }), EvaluationMode.Training);
            EvaluationResult scalar = scalarEngine.Evaluate(one, EvaluationMode.Training);
            Lanes.SameBits(scalar.Value, result.Values[sample], "value");
            Lanes.SameBits(scalar.GradOf(0), result.Grad(0)[sample], "grad of x");
            Lanes.SameBits(scalar.GradOf(depth / 2), result.Grad(1)[sample], "grad of the middle");
        }
    }

    [Fact]
    public void Inference_ComputesNoGradAndKeepsOnlyLiveValues()
    {
        GraphSpec spec = Dag();
        Tape tape = Run.CompileOrFail(spec, EvaluationMode.Inference);
        using var engine = new BatchEngine();
        var inputs = Lanes.Inputs(16, Lanes.Random(EveryOpGraphs.Inputs(spec), 16, 1));

        BatchResult result = engine.Evaluate(tape, inputs, EvaluationMode.Inference, [0, 1], BatchReduce.None);

        Assert.True(result.Succeeded);
        Assert.Equal(16, result.Values.Length);
        Assert.Throws<InvalidOperationException>(() => result.Grad(0));
        Assert.Equal(0, result.Stats.CachedPartials);
        Assert.Equal(TimeSpan.Zero, result.BackwardTime);
        BatchResult training = engine.Evaluate(tape, inputs, EvaluationMode.Training, [0], BatchReduce.None);
        // Values live only until their last reader in both modes (backward reads local gradients, not
        // values): fewer than one per node. Training adds the local gradients' rows.
        Assert.True(result.Stats.PeakLiveValues < tape.NodeCount * 16,
            $"inference holds {result.Stats.PeakLiveValues} lanes of values for {tape.NodeCount} nodes x 16 lanes");
        Assert.Equal(result.Stats.PeakLiveValues, training.Stats.PeakLiveValues);
        // One row of local gradients per edge, but none for add's, sub's and neg's constant 1 and -1.
        int rows = 0;
        for (int p = 0; p < tape.NodeCount; p++)
            if (tape.OpAt(p) is not (OpCode.Add or OpCode.Sub or OpCode.Neg)) rows += tape.EdgeStart[p + 1] - tape.EdgeStart[p];
        Assert.True(rows > 0 && rows < tape.EdgeCount, $"{rows} of {tape.EdgeCount} edges keep a row");
        Assert.Equal(rows * 16, training.Stats.CachedPartials);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void WarmEvaluation_AllocatesNothing(int threads)
    {
        GraphSpec spec = Dag();
        Tape tape = Run.CompileOrFail(spec, EvaluationMode.Inference);
        const int size = 1500;
        var inputs = Lanes.Inputs(size, Lanes.Random(EveryOpGraphs.Inputs(spec), size, 2));
        inputs.Set(EveryOpGraphs.Inputs(spec)[0], 0.5); // a broadcast too
        int[] nodes = Lanes.AllNodes(spec);
        // On as many threads each time, whatever other tests queue on the pool: a first run on more threads than the
        // warm-up's would make what it needs then, which is not what this measures.
        using var engine = new BatchEngine(BufferPool<double>.Shared, threads, parallelWork: 0, idlePoolOnly: false);
        BatchReduce[] reduces = Enum.GetValues<BatchReduce>();
        foreach (BatchReduce reduce in reduces)
            engine.Evaluate(tape, inputs, EvaluationMode.Training, nodes, reduce);
        engine.Evaluate(tape, inputs, EvaluationMode.Inference, [], BatchReduce.None);

        var allocated = new long[6];
        for (int round = 0; round < allocated.Length; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            foreach (BatchReduce reduce in reduces)
                Assert.True(engine.Evaluate(tape, inputs, EvaluationMode.Training, nodes, reduce).Succeeded);
            Assert.True(engine.Evaluate(tape, inputs, EvaluationMode.Inference, [], BatchReduce.None).Succeeded);
            allocated[round] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        if (threads == 1)
        {
            Assert.All(allocated, bytes => Assert.Equal(0, bytes));
        }
        else
        {
            // Queuing the helpers may now and then grow the thread pool's own queue on this thread (a segment of some
            // 4 KB, once in many queued items, whoever queued the others): that is the pool's, not the engine's. What
            // the engine allocated per batch would show in every round.
            Assert.True(allocated.Count(bytes => bytes == 0) >= allocated.Length - 2, $"bytes allocated by round: {string.Join(", ", allocated)}");
        }
    }

    [Fact]
    public void Inputs_ThatAreNotInputLeavesOrOutsideTheGraph_AreRefused()
    {
        GraphSpec spec = Graph.New().Input("x", 1).Const("c", 2).Gate("f", "mul", "x", "c").Spec;
        Tape tape = Run.CompileOrFail(spec, EvaluationMode.Training);
        using var engine = new BatchEngine();
        BatchResult Evaluate(BatchInputs inputs, params int[] grads) =>
            engine.Evaluate(tape, inputs, EvaluationMode.Training, grads, BatchReduce.None);

        var constant = new BatchInputs(2);
        constant.Set(1, 3);
        Assert.Contains("'c'", Assert.Throws<ArgumentException>(() => Evaluate(constant)).Message, StringComparison.Ordinal);
        var gate = new BatchInputs(2);
        gate.Set(2, 3);
        Assert.Throws<ArgumentException>(() => Evaluate(gate));
        var outside = new BatchInputs(2);
        outside.Set(3, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => Evaluate(outside));
        Assert.Throws<ArgumentOutOfRangeException>(() => Evaluate(new BatchInputs(2), 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Evaluate(new BatchInputs(2), -1));

        var inputs = new BatchInputs(2);
        Assert.Throws<ArgumentException>(() => inputs.Set(0, new double[3]));
        Assert.Throws<ArgumentException>(() => inputs.Set(0, new[] { 1, double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => inputs.Set(0, double.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchInputs(0));
    }

    [Fact]
    public void Inputs_SetAgainOrCleared_TakeTheLastValuesOrTheDefaults()
    {
        GraphSpec spec = Graph.New().Input("x", 1).Const("c", 2).Gate("f", "mul", "x", "c").Spec;
        Tape tape = Run.CompileOrFail(spec, EvaluationMode.Training);
        using var engine = new BatchEngine();
        var inputs = new BatchInputs(2);
        inputs.Set(0, new double[] { 5, 6 });
        inputs.Set(0, 7);

        Assert.Equal([14.0, 14.0], engine.Evaluate(tape, inputs, EvaluationMode.Training, [], BatchReduce.None).Values.ToArray());
        inputs.Clear();
        Assert.Equal([2.0, 2.0], engine.Evaluate(tape, inputs, EvaluationMode.Training, [], BatchReduce.None).Values.ToArray());
    }

    [Fact]
    public void GradOfANodeAfterTheOutput_IsZero()
    {
        // The output is named and read by a later node: nothing flows back to that node.
        GraphSpec spec = Graph.New().Input("x", 1).Gate("f", "sin", "x").Gate("later", "exp", "f").Output("f").Spec;
        Tape tape = Run.CompileOrFail(spec, EvaluationMode.Training);
        using var engine = new BatchEngine();

        BatchResult result = engine.Evaluate(tape, new BatchInputs(3), EvaluationMode.Training, [2, 0], BatchReduce.None);

        Assert.Equal([0.0, 0.0, 0.0], result.Grad(0).ToArray());
        Assert.Equal(Math.Cos(1), result.Grad(1)[2]);
    }

    [Fact]
    public void Cancellation_IsObservedBeforeTheWorkEnds()
    {
        GraphSpec spec = Dag();
        Tape tape = Run.CompileOrFail(spec, EvaluationMode.Training);
        using var engine = new BatchEngine();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() =>
            engine.Evaluate(tape, new BatchInputs(100), EvaluationMode.Training, [], BatchReduce.None, cancelled.Token));
    }
}
