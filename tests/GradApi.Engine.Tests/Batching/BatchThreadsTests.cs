using GradApi.Engine.Batching;
using GradApi.Engine.Buffers;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Batching;

/// <summary>
/// A batch's tiles run on several threads: the answer is the one thread's to the bit (values, grads, sums and
/// means, which add up the tiles' sums in tile order), whatever order the tiles ran in, and so is a failure.
/// </summary>
public sealed class BatchThreadsTests
{
    /// <summary>Up to four threads on any batch, however small, on any machine, however busy its thread pool.</summary>
    private static BatchEngine Threaded() => new(BufferPool<double>.Shared, maxWorkers: 4, parallelWork: 0, idlePoolOnly: false);

    private static BatchEngine OneThread() => new(BufferPool<double>.Shared, maxWorkers: 1, parallelWork: 0);

    [Theory]
    [InlineData(BatchReduce.None)]
    [InlineData(BatchReduce.Sum)]
    [InlineData(BatchReduce.Mean)]
    public void ManyTiles_OnFourThreads_AreTheOneThreadAnswer_ToTheBit(BatchReduce reduce)
    {
        GraphSpec spec = EveryOpGraphs.Generate(400, 31);
        Tape tape = Run.CompileOrFail(spec, EvaluationMode.Inference);
        const int size = 5000; // tens of tiles of the 400-node graph's rows
        var inputs = Lanes.Inputs(size, Lanes.Random(EveryOpGraphs.Inputs(spec), size, 7));
        int[] nodes = Lanes.AllNodes(spec);

        using BatchEngine one = OneThread();
        BatchResult expected = one.Evaluate(tape, inputs, EvaluationMode.Training, nodes, reduce);
        Assert.True(expected.Succeeded);
        double[] expectedValues = expected.Values.ToArray();
        double[] expectedGrads = Enumerable.Range(0, nodes.Length).SelectMany(k => expected.Grad(k).ToArray()).ToArray();
        double[] expectedInference = one.Evaluate(tape, inputs, EvaluationMode.Inference, [], BatchReduce.None).Values.ToArray();

        using BatchEngine threaded = Threaded();
        for (int round = 0; round < 5; round++)
        {
            BatchResult actual = threaded.Evaluate(tape, inputs, EvaluationMode.Training, nodes, reduce);
            Assert.True(actual.Succeeded);
            SameBits(expectedValues, actual.Values.ToArray(), "values");
            SameBits(expectedGrads, Enumerable.Range(0, nodes.Length).SelectMany(k => actual.Grad(k).ToArray()).ToArray(), "grads");
            SameBits(expectedInference, threaded.Evaluate(tape, inputs, EvaluationMode.Inference, [], BatchReduce.None).Values.ToArray(), "inference");
        }
    }

    [Theory]
    [InlineData(EvaluationMode.Training)]
    [InlineData(EvaluationMode.Inference)]
    public void ManyTiles_OnFourThreads_AreTheScalarEngineAnswers(EvaluationMode mode)
    {
        GraphSpec spec = EveryOpGraphs.Generate(60, 12);
        const int size = 3000;
        var lanes = Lanes.Random(EveryOpGraphs.Inputs(spec), size, 3);
        Lanes.AgreeWithScalar(spec, lanes, size, mode, [0, 1, 1023, 1024, 1500, 2047, 2048, 2999], Threaded);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Failures_InSeveralTiles_OnFourThreads_AreTheOneThreadFailure(int layout)
    {
        // Forward failures (log of a negative) and backward ones (sqrt at 0) scattered over the tiles.
        GraphSpec spec = Graph.New().Input("x", 1).Input("y", 1)
            .Gate("r", "sqrt", "x").Gate("l", "log", "y").Gate("m", "log", "x").Gate("f", "add", "r", "l", "m").Spec;
        const int size = 9000;
        double[] x = Enumerable.Range(0, size).Select(i => 1 + 0.001 * i).ToArray();
        double[] y = (double[])x.Clone();
        switch (layout)
        {
            case 0: // backward only: sqrt at 0 in three tiles
                x[8500] = x[4000] = x[6100] = 0;
                break;
            case 1: // forward at two gates: the earlier gate in the latest sample
                y[8800] = -1;
                x[7000] = -1;
                y[1500] = -1;
                break;
            default: // forward in late tiles beats backward in early ones
                x[10] = 0;
                y[8999] = -1;
                y[5000] = -1;
                break;
        }
        Tape tape = Run.CompileOrFail(spec, EvaluationMode.Training);
        var inputs = new BatchInputs(size);
        inputs.Set(0, x);
        inputs.Set(1, y);

        using BatchEngine one = OneThread();
        BatchResult expected = one.Evaluate(tape, inputs, EvaluationMode.Training, [0, 1], BatchReduce.None);
        Assert.False(expected.Succeeded);
        using BatchEngine threaded = Threaded();
        for (int round = 0; round < 20; round++)
        {
            BatchResult actual = threaded.Evaluate(tape, inputs, EvaluationMode.Training, [0, 1], BatchReduce.None);
            Assert.Equal((expected.Error!.Message, expected.SampleIndex), (actual.Error?.Message, actual.SampleIndex));
        }
    }

    [Fact]
    public void Cancellation_OnFourThreads_IsThrown_AndTheEngineRunsTheNextBatch()
    {
        GraphSpec spec = EveryOpGraphs.Generate(200, 4);
        Tape tape = Run.CompileOrFail(spec, EvaluationMode.Training);
        const int size = 4000;
        var inputs = Lanes.Inputs(size, Lanes.Random(EveryOpGraphs.Inputs(spec), size, 9));
        using BatchEngine threaded = Threaded();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() =>
            threaded.Evaluate(tape, inputs, EvaluationMode.Training, [], BatchReduce.None, cancelled.Token));

        using BatchEngine one = OneThread();
        SameBits(one.Evaluate(tape, inputs, EvaluationMode.Training, [], BatchReduce.None).Values.ToArray(),
            threaded.Evaluate(tape, inputs, EvaluationMode.Training, [], BatchReduce.None).Values.ToArray(), "values after the cancelled batch");
    }

    private static void SameBits(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Lanes.SameBits(expected[i], actual[i], $"{what}[{i}]");
    }
}
