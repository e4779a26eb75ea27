using System.Buffers;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Evaluation;

/// <summary>One engine, several tapes in a row: its reused buffers must not leak one run into the next.</summary>
public sealed class EngineReuseTests
{
    // (x+y)*z, shared/examples/cs231n-add-mul.json: f = -12, grads x = -4, y = -4, z = 3.
    private static Tape Small(EvaluationMode mode) => Run.CompileOrFail(Graph.New()
        .Input("x", -2).Input("y", 5).Input("z", -4)
        .Gate("q", "add", "x", "y")
        .Gate("f", "mul", "q", "z").Spec, mode);

    // A wider, deeper graph with a 4-input gate: f = sum_k tanh(k * x) * x, so
    // df/dx = sum_k (k (1 - tanh^2(k x)) x + tanh(k x)).
    private const double X = 0.4;

    private static Tape Large(EvaluationMode mode)
    {
        var builder = Graph.New().Input("x", X);
        var terms = new List<string>();
        for (int k = 1; k <= 4; k++)
        {
            builder.Const($"c{k}", k).Gate($"kx{k}", "mul", $"c{k}", "x").Gate($"t{k}", "tanh", $"kx{k}").Gate($"p{k}", "mul", $"t{k}", "x");
            terms.Add($"p{k}");
        }
        return Run.CompileOrFail(builder.Gate("f", "add", [.. terms]).Spec, mode);
    }

    private static double LargeValue => Enumerable.Range(1, 4).Sum(k => Math.Tanh(k * X) * X);

    private static double LargeGrad => Enumerable.Range(1, 4).Sum(k =>
        k * (1 - Math.Tanh(k * X) * Math.Tanh(k * X)) * X + Math.Tanh(k * X));

    [Fact]
    public void Evaluate_SmallThenLargeThenSmall_GivesEachTapeItsOwnAnswer()
    {
        using var engine = new GraphEngine();

        var first = Run.Of(engine, Small(EvaluationMode.Training), EvaluationMode.Training);
        var second = Run.Of(engine, Large(EvaluationMode.Training), EvaluationMode.Training);
        var third = Run.Of(engine, Small(EvaluationMode.Training), EvaluationMode.Training);

        AssertSmall(first);
        AssertLarge(second);
        AssertSmall(third);
    }

    [Fact]
    public void Evaluate_LargeThenSmall_LeavesNoStaleGrads()
    {
        using var engine = new GraphEngine();

        AssertLarge(Run.Of(engine, Large(EvaluationMode.Training), EvaluationMode.Training));
        AssertSmall(Run.Of(engine, Small(EvaluationMode.Training), EvaluationMode.Training));
    }

    [Fact]
    public void Evaluate_AlternatingModes_GivesEachRunItsOwnAnswer()
    {
        using var engine = new GraphEngine();
        Tape small = Small(EvaluationMode.Inference), large = Large(EvaluationMode.Inference);

        var a = Run.Of(engine, large, EvaluationMode.Training);
        var b = Run.Of(engine, small, EvaluationMode.Inference);
        var c = Run.Of(engine, large, EvaluationMode.Inference);
        var d = Run.Of(engine, small, EvaluationMode.Training);

        AssertLarge(a);
        Assert.Equal(-12, b.Value);
        Close.Equal(LargeValue, c.Value, 1e-14);
        AssertSmall(d);
    }

    [Fact]
    public void Evaluate_AfterANumericError_GivesTheNextTapeItsAnswer()
    {
        using var engine = new GraphEngine();
        Tape failing = Run.CompileOrFail(Graph.New().Input("x", -1).Gate("f", "log", "x").Spec, EvaluationMode.Training);

        Assert.NotNull(Run.Of(engine, failing, EvaluationMode.Training).Error);
        AssertSmall(Run.Of(engine, Small(EvaluationMode.Training), EvaluationMode.Training));
    }

    [Fact]
    public void Evaluate_SameTapeTwice_GivesTheSameAnswerTwice()
    {
        using var engine = new GraphEngine();
        Tape large = Large(EvaluationMode.Training);

        var first = Run.Of(engine, large, EvaluationMode.Training);
        var second = Run.Of(engine, large, EvaluationMode.Training);

        Assert.Equal(first.Values, second.Values);
        Assert.Equal(first.Grads, second.Grads);
    }

    [Fact]
    public void Dispose_GivesEveryRentedBufferBack()
    {
        var pool = new CountingPool();
        using (var engine = new GraphEngine(pool))
        {
            Run.Of(engine, Small(EvaluationMode.Inference), EvaluationMode.Training);
            Run.Of(engine, Large(EvaluationMode.Inference), EvaluationMode.Training);
            Run.Of(engine, Large(EvaluationMode.Inference), EvaluationMode.Inference);
            Assert.True(pool.Rented > 0);
        }

        Assert.Equal(pool.Rented, pool.Returned);
    }

    [Theory]
    [InlineData(EvaluationMode.Training)]
    [InlineData(EvaluationMode.Inference)]
    public void Evaluate_CancelledToken_Throws(EvaluationMode mode)
    {
        using var engine = new GraphEngine();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => engine.Evaluate(Small(EvaluationMode.Inference), mode, cancelled.Token));
    }

    private static void AssertSmall(Run run)
    {
        Assert.Null(run.Error);
        Assert.Equal(-12, run.Value);
        Assert.Equal((-4.0, -4.0, 3.0, -4.0, 1.0), (run.Grad("x"), run.Grad("y"), run.Grad("z"), run.Grad("q"), run.Grad("f")));
        Assert.Equal(5, run.Stats.Nodes);
    }

    private static void AssertLarge(Run run)
    {
        Assert.Null(run.Error);
        Close.Equal(LargeValue, run.Value, 1e-14);
        Close.Equal(LargeGrad, run.Grad("x"), 1e-14);
        for (int k = 1; k <= 4; k++) Close.Equal(X, run.Grad($"t{k}"), 1e-15, 0, $"t{k}");
    }

    /// <summary>A pool that counts what goes out and what comes back.</summary>
    private sealed class CountingPool : ArrayPool<double>
    {
        private readonly HashSet<double[]> _out = new(ReferenceEqualityComparer.Instance);

        public int Rented { get; private set; }

        public int Returned { get; private set; }

        public override double[] Rent(int minimumLength)
        {
            var buffer = new double[minimumLength];
            _out.Add(buffer);
            Rented++;
            return buffer;
        }

        public override void Return(double[] array, bool clearArray = false)
        {
            Assert.True(_out.Remove(array), "A buffer was returned that was not rented, or returned twice.");
            Returned++;
        }
    }
}
