using System.Text.Json;
using BenchmarkDotNet.Attributes;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Evaluate;

namespace GradApi.Benchmarks;

/// <summary>
/// The request pipeline in process, stage by stage, on one JSON body of a random DAG, against
/// <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/> of the same bytes:
/// the floor, since any service must at least parse its body.
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private byte[] _body = [];
    private GraphSpec _spec = null!;
    private Tape _tape = null!;
    private static readonly GradApi.Engine.Expressions.ExpressionParser Expressions = new();
    private readonly GraphCompiler _compiler = new();
    private GraphEngine _engine = null!;

    [ParamsSource(nameof(Sizes))]
    public int N { get; set; }

    public static IEnumerable<int> Sizes => BenchmarkSizes.Or(100_000, 1_000_000);

    [GlobalSetup]
    public void Setup()
    {
        _body = GraphJson.Serialize(RandomGraphs.Dag(N));
        _spec = GraphJsonReader.Read(_body, int.MaxValue, Expressions);
        _tape = _compiler.Compile(_spec).Tape!;
        _engine = new GraphEngine();
        _engine.Evaluate(_tape, EvaluationMode.Training);
        Console.WriteLine($"// body: {_body.Length:N0} bytes, {_spec.NodeCount:N0} nodes, {_spec.InputCount:N0} edges");
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    [Benchmark(Baseline = true)]
    public int JsonDocumentParse()
    {
        using var doc = JsonDocument.Parse(_body);
        return doc.RootElement.GetProperty("nodes").GetArrayLength();
    }

    [Benchmark]
    public int Read()
    {
        // Disposed, as the service does once the answer is written: the next read reuses the pooled arrays.
        using GraphSpec spec = GraphJsonReader.Read(_body, int.MaxValue, Expressions);
        return spec.NodeCount;
    }

    /// <summary>
    /// <see cref="Read"/> as the service reads a body, piece by piece as it arrives (<see cref="BodyWindow"/>), in pieces
    /// of half the window.
    /// </summary>
    [Benchmark]
    public int ReadInPieces()
    {
        using var reader = new GraphJsonReader(int.MaxValue, Expressions, inputValuesOptional: false, _body.Length, default);
        BodyWindow.HandInPieces(_body, reader);
        using GraphSpec spec = reader.Finish();
        return spec.NodeCount;
    }

    [Benchmark]
    public int Compile()
    {
        // Disposed, as the service's spec disposes it once the answer is written.
        using Tape tape = _compiler.Compile(_spec).Tape!;
        return tape.NodeCount;
    }

    /// <summary>The same graph compiled for inference: the tape and the slots its values take turns in.</summary>
    [Benchmark]
    public int CompileInference()
    {
        using Tape tape = _compiler.Compile(_spec, EvaluationMode.Inference).Tape!;
        return tape.NodeCount;
    }

    /// <summary>
    /// The same graph compiled the general way (Kahn's algorithm over lists of readers), as a body that lists some
    /// node after a reader of it is: the cost <see cref="Compile"/>'s path for a body in order saves.
    /// </summary>
    [Benchmark]
    public int CompileGeneral()
    {
        using Tape tape = _compiler.Compile(_spec, EvaluationMode.Training, inputDefaultsOptional: false, orderedBody: false, default).Tape!;
        return tape.NodeCount;
    }

    [Benchmark]
    public double Evaluate() => _engine.Evaluate(_tape, EvaluationMode.Training).Value;
}
