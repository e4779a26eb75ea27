using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Expressions;
using GradApi.Engine.Graphs;
using GradApi.Engine.Ops;
using GradApi.Evaluate;

namespace GradApi.CompiledGraphs;

/// <summary>
/// A registered graph, compiled once and evaluated by many requests at once: its spec (ids, ops, labels, the
/// request's order), its tape (compiled for inference, so it runs in both modes), its input leaves and their
/// defaults. Read-only once made.
/// </summary>
/// <remarks>
/// It owns its spec and tape and never disposes them: their arrays, rented when the canonical JSON was parsed and
/// compiled, are never given back to the pool, so no request can ever see them reused while it evaluates. Once
/// the cache drops the graph and the last request using it is done, the GC takes them like any other array.
/// </remarks>
internal sealed class CompiledGraph
{
    private readonly Dictionary<string, int> _inputByName;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _inputBySpan;

    private CompiledGraph(string id, GraphSpec spec, Tape tape)
    {
        Id = id;
        Spec = spec;
        Tape = tape;
        var inputs = new List<int>();
        for (int i = 0; i < spec.NodeCount; i++)
            if (tape.OpAt(tape.PositionOf(i)) == OpCode.Input) inputs.Add(i);
        InputNodes = [.. inputs];
        InputIds = [.. inputs.Select(spec.Id)];
        InputPositions = [.. inputs.Select(tape.PositionOf)];
        _inputByName = new Dictionary<string, int>(InputIds.Length, StringComparer.Ordinal);
        for (int k = 0; k < InputIds.Length; k++) _inputByName[InputIds[k]] = k;
        _inputBySpan = _inputByName.GetAlternateLookup<ReadOnlySpan<char>>();

        // Every leaf's value by position: what an evaluation starts from before the request's values go in.
        LeafValues = new double[tape.NodeCount];
        for (int i = 0; i < spec.NodeCount; i++)
            if (spec.HasValue(i)) LeafValues[tape.PositionOf(i)] = spec.Value(i);

        long inputBytes = InputIds.Sum(name => 96L + 2 * name.Length) + 8L * InputNodes.Length;
        MemoryBytes = spec.MemoryBytes + tape.MemoryBytes + 8L * LeafValues.Length + inputBytes + 512;
    }

    /// <summary>The content-hash id (see <see cref="CanonicalGraph"/>).</summary>
    public string Id { get; }

    public GraphSpec Spec { get; }

    public Tape Tape { get; }

    /// <summary>The output's id.</summary>
    public string Output => Tape.IdAt(Tape.Output);

    /// <summary>The node index (request order) of each input leaf, in request order.</summary>
    public int[] InputNodes { get; }

    /// <summary>The tape position of each input leaf, in request order.</summary>
    public int[] InputPositions { get; }

    /// <summary>The id of each input leaf, in request order.</summary>
    public string[] InputIds { get; }

    /// <summary>Each leaf's value by tape position, the inputs' defaults included (0 for an input without one).</summary>
    public double[] LeafValues { get; }

    /// <summary>What keeping it costs: its spec's and tape's arrays as rented, its leaf values and its input table.</summary>
    public long MemoryBytes { get; }

    /// <summary>Whether the <paramref name="input"/>-th input leaf has a default value.</summary>
    public bool HasDefault(int input) => Spec.HasValue(InputNodes[input]);

    /// <summary>The default of the <paramref name="input"/>-th input leaf.</summary>
    public double DefaultOf(int input) => Spec.Value(InputNodes[input]);

    /// <summary>Which input leaf is named <paramref name="name"/> (its index in <see cref="InputIds"/>), or -1.</summary>
    public int FindInput(ReadOnlySpan<char> name) => _inputBySpan.TryGetValue(name, out int input) ? input : -1;

    /// <summary>
    /// The canonical graph parsed and compiled; null if it does not compile (a store that handed back bytes this
    /// service did not write), which a caller treats as a graph not found.
    /// </summary>
    public static CompiledGraph? Compile(CanonicalGraph canonical, GraphCompiler compiler, ExpressionParser expressions)
    {
        GraphSpec spec;
        try
        {
            spec = GraphJsonReader.Read(canonical.Json.Span, int.MaxValue, expressions, inputValuesOptional: true);
        }
        catch (Problems.ProblemException)
        {
            return null;
        }
        CompileResult compiled = compiler.Compile(spec, EvaluationMode.Inference, inputDefaultsOptional: true);
        return compiled.Succeeded ? new CompiledGraph(canonical.Id, spec, compiled.Tape) : null;
    }
}
