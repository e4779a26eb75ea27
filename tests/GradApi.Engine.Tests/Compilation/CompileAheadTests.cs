using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Compilation;

/// <summary>
/// <see cref="CompileAhead"/> resolves a graph's nodes while a parser still adds them, and must give exactly what
/// <see cref="GraphCompiler.Compile(GraphSpec, EvaluationMode, CancellationToken)"/> gives for the finished spec: every
/// array of the tape, or the same errors in the same order. The graphs are replayed node by node into a spec that starts
/// small, so that the spec's arrays, the id table and the resolver's arrays all grow while the resolver reads them.
/// </summary>
[Collection(CompileAheadCollection.Name)]
public sealed class CompileAheadTests
{
    private static readonly GraphCompiler Compiler = new();

    /// <summary>The resolver run on the calling thread after every few nodes, in place of a pool thread: every stride resolved ahead, deterministically.</summary>
    [Theory]
    [InlineData(5_000, 1, false)]
    [InlineData(20_000, 2, false)]
    [InlineData(20_000, 3, true)]
    [InlineData(60_000, 4, false)]
    public void OrderedDag_ResolvedStrideByStride_GivesTheCompilersTape(int size, int seed, bool longIds)
    {
        using GraphSpec source = OrderedBodyTests.OrderedDag(size, seed);
        foreach (EvaluationMode mode in new[] { EvaluationMode.Training, EvaluationMode.Inference })
        {
            using var spec = new GraphSpec();
            var ahead = new CompileAhead(spec, expectedNodes: 100, false, default, mayRunAhead: () => false, start: null);
            Replay(source, spec, ahead, longIds ? LongId : null, afterNode: i =>
            {
                if (i % 1000 == 0) ahead.ResolvePublished();
            });

            CompileResult early = ahead.Finish(mode);
            Assert.True(ahead.ResolvedAhead >= size - CompileAhead.PublishStride - 1000, $"{ahead.ResolvedAhead} of {size} resolved ahead");
            AssertSameResult(Compiler.Compile(spec, mode), early, mode);
            Assert.False(ahead.HoldsResources);
        }
    }

    /// <summary>
    /// A producer thread adds the nodes at a random pace while the resolver runs on a thread of its own, round after round;
    /// the resolver must have kept pace in some round, or this tests nothing.
    /// </summary>
    [Theory]
    [InlineData(30_000, 11)]
    [InlineData(80_000, 12)]
    public void ProducerThread_AtRandomPace_GivesTheCompilersTape_EveryRound(int size, int seed)
    {
        using GraphSpec source = OrderedBodyTests.OrderedDag(size, seed);
        long resolvedAhead = 0;
        for (int round = 0; round < 6; round++)
        {
            var rng = new Random(seed * 100 + round);
            EvaluationMode mode = round % 2 == 0 ? EvaluationMode.Training : EvaluationMode.Inference;
            using var spec = new GraphSpec();
            var ahead = new CompileAhead(spec, expectedNodes: rng.Next(1, 2 * size), false, default, mayRunAhead: () => true, OnItsOwnThread);
            CompileResult? early = null;
            Exception? fault = null;
            var producer = new Thread(() =>
            {
                try
                {
                    Replay(source, spec, ahead, round % 3 == 2 ? LongId : null, afterNode: i =>
                    {
                        if (rng.Next(2000) == 0) Thread.Sleep(1);
                        else if (rng.Next(50) == 0) Thread.SpinWait(rng.Next(2000));
                    });
                    early = ahead.Finish(mode);
                }
                catch (Exception e)
                {
                    fault = e;
                }
            });
            producer.Start();
            producer.Join();

            Assert.Null(fault);
            Assert.False(ahead.HoldsResources);
            AssertSameResult(Compiler.Compile(spec, mode), early!, mode);
            resolvedAhead += ahead.ResolvedAhead;
            if (ahead.ResolvedAhead > 0) Assert.True(ahead.AheadTime > TimeSpan.Zero);
        }
        Assert.True(resolvedAhead > 0, "the resolver never ran ahead");
    }

    /// <summary>The same on the thread pool, as the service runs it: whether the pool starts the resolver in time or not, the same tape.</summary>
    [Fact]
    public void OnThePool_GivesTheCompilersTape()
    {
        using GraphSpec source = OrderedBodyTests.OrderedDag(50_000, 14);
        for (int round = 0; round < 3; round++)
        {
            using var spec = new GraphSpec();
            var ahead = new CompileAhead(spec, 50_000);
            Replay(source, spec, ahead, null, afterNode: i =>
            {
                if (i % 5000 == 0) Thread.Sleep(1);
            });
            AssertSameResult(Compiler.Compile(spec), ahead.Finish(), EvaluationMode.Training);
            Assert.False(ahead.HoldsResources);
        }
    }

    [Theory]
    [InlineData(300, 1)]
    [InlineData(20_000, 2)]
    public void UnorderedGraph_CompilesTheGeneralWay_AsBefore(int size, int seed)
    {
        using GraphSpec source = RandomGraphs.Generate(size, seed); // shuffled: some input names a later node
        using var spec = new GraphSpec();
        var ahead = new CompileAhead(spec, 16, false, default, mayRunAhead: () => false, start: null);
        Replay(source, spec, ahead, null, i =>
        {
            if (i % 500 == 0) ahead.ResolvePublished();
        });
        AssertSameResult(Compiler.Compile(spec), ahead.Finish(), EvaluationMode.Training);
    }

    /// <summary>What goes wrong with node 12,345 of an ordered graph (or with its output or seed), for the resolver to meet midway.</summary>
    private static readonly Dictionary<string, Func<Node, Node>> Faults = new()
    {
        ["duplicate id"] = node => node with { Id = "n17" },
        ["unknown input"] = node => node.Inputs is null ? node with { Op = "sin", Value = null, Inputs = ["nobody"] } : node with { Inputs = [.. node.Inputs[..^1], "nobody"] },
        ["input named later"] = node => node with { Op = "sin", Value = null, Inputs = ["n19000"] },
        ["wrong arity"] = node => node with { Op = "sub", Value = null, Inputs = ["n1"] },
        ["unknown op"] = node => node with { Op = "frobnicate" },
        ["empty id"] = node => node with { Id = "" },
        ["leaf with inputs"] = node => node with { Op = "input", Value = 1, Inputs = ["n1"] },
        ["leaf without value"] = node => node with { Op = "const", Value = null, Inputs = null },
        ["gate with a value"] = node => node with { Op = "neg", Value = 2, Inputs = ["n1"] },
    };

    public static TheoryData<string> FaultNames() => [.. Faults.Keys];

    [Theory]
    [MemberData(nameof(FaultNames))]
    public void FaultMidway_ReportsTheCompilersErrors(string fault)
    {
        using GraphSpec source = OrderedBodyTests.OrderedDag(20_000, 5);
        foreach (bool onAnotherThread in new[] { false, true })
        {
            using var spec = new GraphSpec();
            var ahead = new CompileAhead(spec, 1000, false, default, mayRunAhead: () => onAnotherThread, OnItsOwnThread);
            Replay(source, spec, ahead, null, i =>
            {
                if (!onAnotherThread && i % 700 == 0) ahead.ResolvePublished();
            }, change: (i, node) => i == 12_345 ? Faults[fault](node) : node);
            CompileResult early = ahead.Finish();
            if (fault != "input named later") Assert.False(early.Succeeded, fault);
            AssertSameResult(Compiler.Compile(spec), early, EvaluationMode.Training);
            Assert.False(ahead.HoldsResources);
        }
    }

    [Theory]
    [InlineData("two sinks")]
    [InlineData("unknown output")]
    [InlineData("non-finite seed")]
    [InlineData("inputs without values allowed")]
    [InlineData("inputs without values not allowed")]
    public void OutputSeedAndOptions_AsTheCompilerSees_Them(string variant)
    {
        bool valueless = variant.StartsWith("inputs", StringComparison.Ordinal), optional = variant == "inputs without values allowed";
        using GraphSpec source = OrderedBodyTests.OrderedDag(15_000, 8, valuelessInputs: valueless);
        using var spec = new GraphSpec();
        var ahead = new CompileAhead(spec, 15_000, optional, default, mayRunAhead: () => false, start: null);
        Replay(source, spec, ahead, null, i =>
        {
            if (i % 3000 == 0) ahead.ResolvePublished();
        });
        switch (variant)
        {
            case "two sinks":
                spec.BeginNode("extra", "sin", null);
                spec.AddInput("n0");
                spec.MarkInputs();
                spec.EndNode();
                spec.Output = null;
                break;
            case "unknown output":
                spec.Output = "nobody";
                break;
            case "non-finite seed":
                spec.Seed = double.NaN;
                break;
        }

        CompileResult early = ahead.Finish(EvaluationMode.Inference);
        AssertSameResult(Compiler.Compile(spec, EvaluationMode.Inference, optional), early, EvaluationMode.Inference);
        Assert.Equal(variant is "inputs without values allowed", early.Succeeded);
    }

    [Fact]
    public void SmallOrEmptyGraph_NeverPublished_CompilesAsUsual()
    {
        using var empty = new GraphSpec();
        var ahead = new CompileAhead(empty, 0);
        AssertSameResult(Compiler.Compile(empty), ahead.Finish(), EvaluationMode.Training);

        GraphBuilder small = Graph.New().Input("x", -2).Input("y", 5).Input("z", -4).Gate("q", "add", "x", "y").Gate("f", "mul", "q", "z");
        var again = new CompileAhead(small.Spec, 5);
        CompileResult result = again.Finish();
        Assert.Equal(0, again.ResolvedAhead);
        using var engine = new GraphEngine();
        EvaluationResult answer = engine.Evaluate(result.Tape!, EvaluationMode.Training);
        Assert.Equal(-12, answer.Value);
        Assert.Equal(new double[] { -4, -4, 3, -4, 1 }, Enumerable.Range(0, 5).Select(answer.GradOf));
    }

    [Fact]
    public void ParserThatThrowsMidway_StopsTheResolver_AndGivesEverythingBack()
    {
        using GraphSpec source = OrderedBodyTests.OrderedDag(40_000, 9);
        for (int round = 0; round < 4; round++)
        {
            using var spec = new GraphSpec();
            var ahead = new CompileAhead(spec, 100, false, default, mayRunAhead: () => true, OnItsOwnThread);
            int stopAt = 10_000 + 7_000 * round;
            Assert.Throws<FormatException>(() =>
            {
                try
                {
                    Replay(source, spec, ahead, null, i =>
                    {
                        if (i == stopAt) throw new FormatException("a bad node");
                    });
                }
                catch
                {
                    ahead.Dispose();
                    throw;
                }
            });
            Assert.False(ahead.HoldsResources);
            Assert.Throws<ObjectDisposedException>(() => ahead.Finish());
            ahead.Dispose(); // twice is fine
        }
    }

    [Fact]
    public void CancelledRequest_StopsTheResolver_AndFinishThrows()
    {
        using GraphSpec source = OrderedBodyTests.OrderedDag(40_000, 10);
        using var cancel = new CancellationTokenSource();
        using var spec = new GraphSpec();
        var ahead = new CompileAhead(spec, 100, false, cancel.Token, mayRunAhead: () => false, start: null);
        Replay(source, spec, ahead, null, i =>
        {
            if (i == 20_000) cancel.Cancel();
            if (i % 1000 == 0) ahead.ResolvePublished();
        });

        // The resolver stopped where the cancellation found it, well before the end.
        Assert.InRange(ahead.ResolvePublished(), 1, 20_000 + CompileAhead.PublishStride);
        Assert.Throws<OperationCanceledException>(() => ahead.Finish(EvaluationMode.Training, cancel.Token));
        Assert.False(ahead.HoldsResources);
    }

    [Fact]
    public void CancelledRequest_OnThePool_FinishThrows_AndNothingIsHeld()
    {
        using GraphSpec source = OrderedBodyTests.OrderedDag(40_000, 13);
        using var cancel = new CancellationTokenSource();
        using var spec = new GraphSpec();
        var ahead = new CompileAhead(spec, 100, false, cancel.Token, mayRunAhead: () => true, OnItsOwnThread);
        Replay(source, spec, ahead, null, i =>
        {
            if (i == 15_000) cancel.Cancel();
        });
        Assert.Throws<OperationCanceledException>(() => ahead.Finish(EvaluationMode.Training, cancel.Token));
        Assert.False(ahead.HoldsResources);
    }

    /// <summary>Runs the resolver's turn on a new thread, which no busy pool keeps waiting.</summary>
    private static void OnItsOwnThread(IThreadPoolWorkItem turn) => new Thread(turn.Execute) { IsBackground = true }.Start();

    /// <summary>A node as the replay adds it.</summary>
    private sealed record Node(string Id, string Op, double? Value, string[]? Inputs);

    private static string LongId(string id) => "a-longer-node-id/" + id;

    /// <summary>
    /// Adds <paramref name="source"/>'s nodes to <paramref name="spec"/> one by one as a parser would, telling
    /// <paramref name="ahead"/> after each and calling <paramref name="afterNode"/>; then sets the output and seed.
    /// </summary>
    private static void Replay(GraphSpec source, GraphSpec spec, CompileAhead ahead, Func<string, string>? rename, Action<int> afterNode,
        Func<int, Node, Node>? change = null)
    {
        rename ??= id => id;
        for (int i = 0; i < source.NodeCount; i++)
        {
            string[]? inputs = source.HasInputs(i) ? [.. Enumerable.Range(0, source.InputCountOf(i)).Select(k => source.Input(i, k))] : null;
            var node = new Node(source.Id(i), source.Op(i), source.HasValue(i) ? source.Value(i) : null, inputs);
            if (change is not null) node = change(i, node);

            spec.BeginNode(rename(node.Id), node.Op, node.Value);
            if (node.Inputs is not null)
            {
                foreach (string input in node.Inputs) spec.AddInput(rename(input));
                spec.MarkInputs();
            }
            spec.EndNode();
            ahead.Added();
            afterNode(i);
        }
        spec.Output = source.Output is { } output ? rename(output) : null;
        spec.Seed = source.Seed;
    }

    private static void AssertSameResult(CompileResult expected, CompileResult actual, EvaluationMode mode)
    {
        Assert.Equal(expected.Succeeded, actual.Succeeded);
        Assert.Equal(expected.ErrorCount, actual.ErrorCount);
        Assert.Equal(expected.Errors.Select(OrderedBodyTests.Describe), actual.Errors.Select(OrderedBodyTests.Describe));
        if (expected.Tape is not { } tape) return;
        OrderedBodyTests.AssertSameTape(tape, actual.Tape!);
        OrderedBodyTests.AssertSameAnswer(tape, actual.Tape!, mode);
    }
}

/// <summary>
/// Run alone: these tests start resolvers on threads and on the thread pool, and the pool's queue decides how many
/// threads other tests' batches take (<see cref="SpareCores"/>), so that a warm batch beside them would rent anew.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CompileAheadCollection
{
    public const string Name = "CompileAhead";
}
