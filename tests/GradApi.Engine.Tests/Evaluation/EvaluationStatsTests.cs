using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Evaluation;

public sealed class EvaluationStatsTests
{
    private static readonly string[] UnaryCycle = ["sin", "neg", "tanh", "cos"];

    [Fact]
    public void Training_Stats_CountEveryNodeAndOnePartialPerEdge()
    {
        // The stats of API.md's example response for (x+y)*z.
        var run = Graph.New()
            .Input("x", -2).Input("y", 5).Input("z", -4)
            .Gate("q", "add", "x", "y")
            .Gate("f", "mul", "q", "z")
            .Train();

        Assert.Equal(new EvaluationStats(Nodes: 5, Edges: 4, CachedPartials: 4, PeakLiveValues: 5), run.Stats);
    }

    [Theory]
    [InlineData(30, 11)]
    [InlineData(60, 12)]
    public void Training_Stats_OnRandomGraphs_AreNodesAndEdges(int size, int seed)
    {
        GraphSpec spec = RandomGraphs.Generate(size, seed);
        int edges = Enumerable.Range(0, spec.NodeCount).Sum(spec.InputCountOf);

        var stats = Run.Of(spec, EvaluationMode.Training).Stats;

        Assert.Equal(new EvaluationStats(size, edges, edges, size), stats);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(10_000)]
    public void Inference_ChainOfUnaryOps_HoldsTwoValuesWhateverItsLength(int nodes)
    {
        var spec = UnaryChain(nodes, 0.5, out double expected);

        var run = Run.Of(spec, EvaluationMode.Inference);

        Assert.Null(run.Error);
        // The engine's exp, tanh, sin and cos are within an ulp or two of the C library's, the referee's.
        Assert.Equal(expected, run.Value, Math.Abs(expected) * 1e-12);
        Assert.Equal(new EvaluationStats(nodes, nodes - 1, CachedPartials: 0, PeakLiveValues: 2), run.Stats);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(100)]
    public void Inference_OneWideLayer_HoldsTheLayerPlusTheSum(int width)
    {
        // x feeds W unary nodes u1..uW, all summed by one add. The add reads all W values at
        // once, so they are all live when it runs, and its own value is written while they are
        // still held: W + 1. Nothing is ever wider: x is live only until uW, its last reader, has
        // run (at that moment: x, u1..uW, again W + 1), and it is gone before the sum exists.
        const double x = 0.3;
        var builder = Graph.New().Input("x", x);
        var layer = new string[width];
        double expected = 0;
        for (int i = 0; i < width; i++)
        {
            string op = UnaryCycle[i % UnaryCycle.Length];
            layer[i] = $"u{i}";
            builder.Gate(layer[i], op, "x");
            expected += ReferenceOps.Apply(op, [x]);
        }
        var run = builder.Gate("sum", "add", layer).Infer();

        Assert.Null(run.Error);
        Close.Equal(expected, run.Value, 1e-14);
        Assert.Equal(new EvaluationStats(width + 2, 2 * width, CachedPartials: 0, PeakLiveValues: width + 1), run.Stats);
    }

    [Fact]
    public void Inference_ChainAddingOneSharedConst_HoldsThreeValues()
    {
        // a_i = a_(i-1) + c with one const c: c is read to the end, so while a_i is written the
        // live values are a_(i-1), c and a_i.
        const int steps = 1000;
        var builder = Graph.New().Input("a0", 1).Const("c", 0.5);
        for (int i = 1; i <= steps; i++) builder.Gate($"a{i}", "add", $"a{i - 1}", "c");

        var run = builder.Infer();

        Assert.Equal(1 + 0.5 * steps, run.Value);
        Assert.Equal(3, run.Stats.PeakLiveValues);
    }

    [Fact]
    public void Inference_ChainAddingAConstPerStep_HoldsThreeValues()
    {
        // a_i = a_(i-1) + c_i, each c_i its own const (as every number literal of an expression is).
        // Run in the order c_i, a_i, no more than a_(i-1), c_i and a_i are ever live: the widest cut is 3.
        const int steps = 1000;
        var builder = Graph.New().Input("a0", 1);
        for (int i = 1; i <= steps; i++) builder.Const($"c{i}", 0.5).Gate($"a{i}", "add", $"a{i - 1}", $"c{i}");

        var run = builder.Infer();

        Assert.Equal(1 + 0.5 * steps, run.Value);
        Assert.Equal(3, run.Stats.PeakLiveValues);
    }

    [Fact]
    public void Inference_SingleLeaf_HoldsOneValue()
    {
        var run = Graph.New().Input("x", 3).Infer();

        Assert.Equal(3, run.Value);
        Assert.Equal(new EvaluationStats(1, 0, 0, 1), run.Stats);
    }

    [Theory]
    [InlineData(25, 21)]
    [InlineData(60, 22)]
    [InlineData(60, 23)]
    [InlineData(45, 24)]
    public void Inference_PeakLiveValues_IsTheMostValuesAliveAtOnceInTapeOrder(int size, int seed)
    {
        GraphSpec spec = RandomGraphs.Generate(size, seed);
        Tape tape = Run.CompileOrFail(spec, EvaluationMode.Inference);
        using var engine = new GraphEngine();

        var stats = engine.Evaluate(tape, EvaluationMode.Inference).Stats;

        Assert.Equal(0, stats.CachedPartials);
        Assert.Equal(LiveValuesModel(tape), stats.PeakLiveValues);
        Assert.InRange(stats.PeakLiveValues, 2, size);
    }

    [Fact]
    public void Inference_KeepsNoNodeValuesOrGrads()
    {
        Tape tape = Run.CompileOrFail(Graph.New().Input("x", 1).Gate("f", "sin", "x").Spec, EvaluationMode.Inference);
        using var engine = new GraphEngine();

        var evaluation = engine.Evaluate(tape, EvaluationMode.Inference);

        Assert.False(evaluation.HasGrads);
        Assert.Equal(Math.Sin(1), evaluation.Value);
        Assert.Throws<InvalidOperationException>(() => evaluation.GradOf(0));
        Assert.Throws<InvalidOperationException>(() => evaluation.ValueOf(0));
    }

    [Fact]
    public void Inference_OnATapeCompiledForTraining_IsRefused()
    {
        Tape tape = Run.CompileOrFail(Graph.New().Input("x", 1).Gate("f", "sin", "x").Spec, EvaluationMode.Training);
        using var engine = new GraphEngine();

        Assert.Throws<InvalidOperationException>(() => engine.Evaluate(tape, EvaluationMode.Inference));
    }

    /// <summary>
    /// API.md: "a value is dropped as soon as the last node that reads it has run". Running the
    /// tape in order, while node p runs the live values are p itself, the output if it already ran,
    /// and every earlier value that a node at p or later still reads.
    /// </summary>
    private static int LiveValuesModel(Tape tape)
    {
        int n = tape.NodeCount;
        var lastReader = new int[n];
        Array.Fill(lastReader, -1);
        for (int p = 0; p < n; p++)
            foreach (int input in tape.InputsAt(p)) lastReader[input] = p;

        int peak = 0;
        for (int p = 0; p < n; p++)
        {
            int live = 1;
            for (int q = 0; q < p; q++)
                if (q == tape.Output || lastReader[q] >= p) live++;
            peak = Math.Max(peak, live);
        }
        return peak;
    }

    private static GraphSpec UnaryChain(int nodes, double x, out double expected)
    {
        var spec = new GraphSpec();
        spec.AddNode("n0", "input", x, null);
        expected = x;
        for (int i = 1; i < nodes; i++)
        {
            string op = UnaryCycle[i % UnaryCycle.Length];
            spec.AddNode($"n{i}", op, null, [$"n{i - 1}"]);
            expected = ReferenceOps.Apply(op, [expected]);
        }
        return spec;
    }
}
