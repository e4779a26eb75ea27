using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Compilation;

/// <summary>
/// A graph whose every input names an earlier node compiles on <see cref="OrderedBody"/>'s path, and its
/// tape must be the general path's (Kahn's algorithm) array for array: the tape's order is the order in which
/// backward sums the grads, so another order would change answers in their last bits. Everything else, valid
/// or not, must come out of the general path exactly as before.
/// </summary>
public sealed class OrderedBodyTests
{
    private static readonly string[] Unary = ["neg", "sin", "cos", "tanh", "sigmoid", "relu", "abs"];
    private static readonly string[] NAry = ["add", "mul", "max", "min"];

    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(10, 3)]
    [InlineData(40, 4)]
    [InlineData(200, 5)]
    [InlineData(1000, 6)]
    [InlineData(5000, 7)]
    public void OrderedRandomDag_TakesTheOrderedPath_AndGivesKahnsTape(int size, int seed)
    {
        for (int variant = 0; variant < 20; variant++)
        {
            using GraphSpec spec = OrderedDag(size, seed * 1000 + variant);
            foreach (EvaluationMode mode in new[] { EvaluationMode.Training, EvaluationMode.Inference })
            {
                using var ids = new IdTable(spec, spec.NodeCount);
                using Tape? ordered = OrderedBody.TryCompile(spec, ids, mode, inputDefaultsOptional: false, CancellationToken.None);
                Assert.NotNull(ordered);
                using Tape kahn = General(spec, mode);
                AssertSameTape(kahn, ordered);
                AssertSameAnswer(kahn, ordered, mode);
            }
        }
    }

    [Fact]
    public void OrderedDag_WithInputsLeftWithoutValues_GivesKahnsTape()
    {
        using GraphSpec spec = OrderedDag(300, 11, valuelessInputs: true);
        using var ids = new IdTable(spec, spec.NodeCount);
        using Tape? ordered = OrderedBody.TryCompile(spec, ids, EvaluationMode.Inference, inputDefaultsOptional: true, CancellationToken.None);
        Assert.NotNull(ordered);
        using Tape kahn = new GraphCompiler().Compile(spec, EvaluationMode.Inference, true, orderedBody: false, CancellationToken.None).Tape!;
        AssertSameTape(kahn, ordered);

        using var strict = new IdTable(spec, spec.NodeCount);
        Assert.Null(OrderedBody.TryCompile(spec, strict, EvaluationMode.Inference, inputDefaultsOptional: false, CancellationToken.None));
    }

    [Fact]
    public void Sum_OfOneInputReadByManyGatesAtDifferentDepths_IsSummedInKahnsOrder()
    {
        // x is read by gates on levels 0, 2 and 4, listed deepest first: Kahn's order (by level) is not the
        // request's, and the contributions to x's grad, summed in another order, could round differently.
        var builder = Graph.New()
            .Input("x", 0.1)
            .Gate("a1", "sin", "x").Gate("a2", "sin", "a1").Gate("a3", "sin", "a2").Gate("a4", "sin", "a3").Gate("deep", "mul", "a4", "x")
            .Gate("b1", "tanh", "x").Gate("b2", "tanh", "b1").Gate("mid", "mul", "b2", "x")
            .Gate("near", "mul", "x", "x")
            .Gate("f", "add", "deep", "mid", "near");

        using var ids = new IdTable(builder.Spec, builder.Spec.NodeCount);
        using Tape? ordered = OrderedBody.TryCompile(builder.Spec, ids, EvaluationMode.Training, false, CancellationToken.None);
        Assert.NotNull(ordered);
        using Tape kahn = General(builder.Spec, EvaluationMode.Training);
        AssertSameTape(kahn, ordered);
        // Kahn runs "near" (level 0) before "mid" and "deep", so it comes last in backward.
        Assert.True(ordered.PositionOf(9) < ordered.PositionOf(8) && ordered.PositionOf(8) < ordered.PositionOf(5));
    }

    [Fact]
    public void MillionNodeChain_TakesTheOrderedPath_AndGivesKahnsTape()
    {
        const int nodes = 1_000_000;
        using var spec = new GraphSpec(nodes, nodes);
        spec.AddNode("x", "input", 0.5, null);
        for (int i = 1; i < nodes; i++)
        {
            spec.BeginNode($"s{i}", i % 3 == 0 ? "mul" : "sin", null);
            spec.AddInput(i == 1 ? "x" : $"s{i - 1}");
            if (i % 3 == 0) spec.AddInput("x");
            spec.MarkInputs();
            spec.EndNode();
        }

        using var ids = new IdTable(spec, nodes);
        using Tape? ordered = OrderedBody.TryCompile(spec, ids, EvaluationMode.Training, false, CancellationToken.None);
        Assert.NotNull(ordered);
        using Tape kahn = General(spec, EvaluationMode.Training);
        AssertSameTape(kahn, ordered);
    }

    [Theory]
    [InlineData(60, 1)]
    [InlineData(300, 2)]
    public void Unordered_LeavesTheOrderedPath_AndCompilesAsBefore(int size, int seed)
    {
        using GraphSpec spec = RandomGraphs.Generate(size, seed); // shuffled: some input names a later node
        using var ids = new IdTable(spec, spec.NodeCount);
        Assert.Null(OrderedBody.TryCompile(spec, ids, EvaluationMode.Training, false, CancellationToken.None));

        using Tape compiled = Run.CompileOrFail(spec, EvaluationMode.Training);
        using Tape kahn = General(spec, EvaluationMode.Training);
        AssertSameTape(kahn, compiled);
    }

    private static readonly Dictionary<string, Func<GraphBuilder>> Faults = new()
    {
        ["cycle"] = () => Graph.New().Input("x", 1).Gate("a", "add", "x", "c").Gate("b", "sin", "a").Gate("c", "cos", "b").Gate("f", "neg", "b"),
        ["self loop"] = () => Graph.New().Input("x", 1).Gate("a", "add", "x", "a").Gate("f", "sin", "a"),
        ["duplicate id"] = () => Graph.New().Input("x", 1).Input("x", 2).Gate("f", "sin", "x"),
        ["duplicate gate id"] = () => Graph.New().Input("x", 1).Gate("f", "sin", "x").Gate("f", "cos", "x"),
        ["unknown input"] = () => Graph.New().Input("x", 1).Gate("f", "add", "x", "y"),
        ["unknown op"] = () => Graph.New().Input("x", 1).Gate("f", "frobnicate", "x"),
        ["empty id"] = () => Graph.New().Input("", 1).Gate("f", "sin", "x"),
        ["wrong arity"] = () => Graph.New().Input("x", 1).Gate("f", "sub", "x"),
        ["leaf with inputs"] = () => Graph.New().Input("x", 1).Node("y", "input", 2, ["x"]).Gate("f", "add", "x", "y"),
        ["leaf without value"] = () => Graph.New().Node("x", "input", null, null).Gate("f", "sin", "x"),
        ["non-finite value"] = () => Graph.New().Input("x", double.NaN).Gate("f", "sin", "x"),
        ["gate with a value"] = () => Graph.New().Input("x", 1).Node("f", "sin", 2, ["x"]),
        ["gate without inputs"] = () => Graph.New().Input("x", 1).Node("f", "sin", null, null),
        ["two sinks"] = () => Graph.New().Input("x", 1).Gate("f", "sin", "x").Gate("g", "cos", "x"),
        ["unknown output"] = () => Graph.New().Input("x", 1).Gate("f", "sin", "x").Output("g"),
        ["non-finite seed"] = () => Graph.New().Input("x", 1).Gate("f", "sin", "x").Seed(double.PositiveInfinity),
        ["many faults"] = () => Graph.New().Input("x", 1).Input("x", 2).Gate("a", "sub", "x").Gate("b", "nope", "x").Gate("f", "add", "a", "zz"),
    };

    public static TheoryData<string> FaultNames() => [.. Faults.Keys];

    [Theory]
    [MemberData(nameof(FaultNames))]
    public void Faulty_LeavesTheOrderedPath_AndReportsAsBefore(string fault)
    {
        GraphSpec spec = Faults[fault]().Spec;
        using var ids = new IdTable(spec, spec.NodeCount);
        Assert.Null(OrderedBody.TryCompile(spec, ids, EvaluationMode.Training, false, CancellationToken.None));

        CompileResult compiled = new GraphCompiler().Compile(spec);
        CompileResult general = new GraphCompiler().Compile(spec, EvaluationMode.Training, false, orderedBody: false, CancellationToken.None);
        Assert.False(compiled.Succeeded, fault);
        Assert.Equal(general.ErrorCount, compiled.ErrorCount);
        Assert.Equal(general.Errors.Select(Describe), compiled.Errors.Select(Describe));
    }

    internal static string Describe(GraphError e) => $"{e.Kind} {e.Path} {e.NodeId} {e.Message} {string.Join(",", e.Cycle ?? [])}";

    private static Tape General(GraphSpec spec, EvaluationMode mode)
    {
        CompileResult result = new GraphCompiler().Compile(spec, mode, false, orderedBody: false, CancellationToken.None);
        Assert.True(result.Succeeded);
        return result.Tape;
    }

    internal static void AssertSameTape(Tape expected, Tape actual)
    {
        int n = expected.NodeCount, edges = expected.EdgeCount;
        Assert.Equal(n, actual.NodeCount);
        Assert.Equal(edges, actual.EdgeCount);
        Assert.Equal(expected.Output, actual.Output);
        Assert.Equal(expected.Seed, actual.Seed);
        Assert.Equal(expected.MaxArity, actual.MaxArity);
        Assert.True(expected.NodeAt.AsSpan(0, n).SequenceEqual(actual.NodeAt.AsSpan(0, n)), "the order differs");
        Assert.True(expected.PositionOfNode.AsSpan(0, n).SequenceEqual(actual.PositionOfNode.AsSpan(0, n)));
        Assert.True(expected.Ops.AsSpan(0, n).SequenceEqual(actual.Ops.AsSpan(0, n)));
        Assert.True(expected.EdgeStart.AsSpan(0, n + 1).SequenceEqual(actual.EdgeStart.AsSpan(0, n + 1)));
        Assert.True(expected.EdgeInput.AsSpan(0, edges).SequenceEqual(actual.EdgeInput.AsSpan(0, edges)));
        for (int p = 0; p < n; p++)
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.LeafValues[p]), BitConverter.DoubleToInt64Bits(actual.LeafValues[p]));
        Assert.Equal(expected.Inference is null, actual.Inference is null);
        if (expected.Inference is { } plan && actual.Inference is { } other)
        {
            Assert.Equal(plan.SlotCount, other.SlotCount);
            Assert.True(plan.OutputSlot.AsSpan(0, n).SequenceEqual(other.OutputSlot.AsSpan(0, n)));
            Assert.True(plan.EdgeSlot.AsSpan(0, edges).SequenceEqual(other.EdgeSlot.AsSpan(0, edges)));
        }
    }

    /// <summary>
    /// Every value and grad the same to the bit (the same tape must give them; this checks what a client sees), or the same
    /// failure: a large random graph may overflow, and then the run stops there and its value means nothing.
    /// </summary>
    internal static void AssertSameAnswer(Tape expected, Tape actual, EvaluationMode mode)
    {
        using var one = new GraphEngine();
        using var other = new GraphEngine();
        EvaluationResult a = one.Evaluate(expected, mode), b = other.Evaluate(actual, mode);
        Assert.Equal(a.Error?.Message, b.Error?.Message);
        if (a.Error is not null) return;
        Assert.Equal(BitConverter.DoubleToInt64Bits(a.Value), BitConverter.DoubleToInt64Bits(b.Value));
        if (mode != EvaluationMode.Training) return;
        for (int i = 0; i < expected.NodeCount; i++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(a.ValueOf(i)), BitConverter.DoubleToInt64Bits(b.ValueOf(i)));
            Assert.Equal(BitConverter.DoubleToInt64Bits(a.GradOf(i)), BitConverter.DoubleToInt64Bits(b.GradOf(i)));
        }
    }

    /// <summary>
    /// A random DAG listed so that every input names an earlier node: leaves scattered among the gates (some read by
    /// nobody), inputs picked near and far, repeated within a gate, and gates of 1 to 5 inputs; the output named,
    /// or (when it is the only sink) left to be found.
    /// </summary>
    internal static GraphSpec OrderedDag(int size, int seed, bool valuelessInputs = false)
    {
        var rng = new Random(seed);
        var spec = new GraphSpec();
        double leafShare = 0.05 + rng.NextDouble() * 0.5;
        var read = new bool[size];
        for (int i = 0; i < size; i++)
        {
            if (i == 0 || (i < size - 1 && rng.NextDouble() < leafShare))
            {
                bool input = rng.NextDouble() < 0.7;
                double? value = valuelessInputs && input && rng.NextDouble() < 0.5 ? null : Math.Round(rng.NextDouble() * 2 - 1, 3);
                spec.AddNode($"n{i}", input ? "input" : "const", value, null);
                continue;
            }

            string op = rng.NextDouble() < 0.4 ? Unary[rng.Next(Unary.Length)] : rng.NextDouble() < 0.1 ? "sub" : NAry[rng.Next(NAry.Length)];
            int arity = Array.IndexOf(Unary, op) >= 0 ? 1 : op == "sub" ? 2 : 2 + rng.Next(4);
            var inputs = new string[arity];
            for (int k = 0; k < arity; k++)
            {
                int pick = k > 0 && rng.NextDouble() < 0.1 ? int.Parse(inputs[k - 1][1..], System.Globalization.CultureInfo.InvariantCulture)
                    : rng.NextDouble() < 0.5 ? i - 1 - rng.Next(Math.Min(i, 4)) : rng.Next(i);
                read[pick] = true;
                inputs[k] = $"n{pick}";
            }
            spec.AddNode($"n{i}", op, null, inputs);
        }

        bool oneSink = read.AsSpan(0, size - 1).IndexOf(false) < 0;
        if (!oneSink || rng.NextDouble() < 0.5) spec.Output = $"n{size - 1 - rng.Next(Math.Min(size, 3))}";
        spec.Seed = rng.NextDouble() < 0.5 ? 1 : Math.Round(rng.NextDouble() * 4 - 2, 3);
        return spec;
    }
}
