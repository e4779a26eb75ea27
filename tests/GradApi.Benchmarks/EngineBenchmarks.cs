using BenchmarkDotNet.Attributes;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;

namespace GradApi.Benchmarks;

/// <summary>
/// The engine alone on a compiled tape: forward+backward (training) against forward only
/// (inference), per graph size and shape. Divide the mean by N for ns/node.
/// The baseline is training; inference should come out at a ratio below 1.
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private Tape _training = null!;
    private Tape _inference = null!;
    private GraphEngine _engine = null!;

    [ParamsSource(nameof(Sizes))]
    public int N { get; set; }

    public static IEnumerable<int> Sizes => BenchmarkSizes.Or(1_000, 100_000, 1_000_000);

    [Params("dag", "chain")]
    public string Shape { get; set; } = "dag";

    [GlobalSetup]
    public void Setup()
    {
        GraphSpec spec = Shape == "dag" ? RandomGraphs.Dag(N) : RandomGraphs.Chain(N);
        var compiler = new GraphCompiler();
        _training = compiler.Compile(spec, EvaluationMode.Training).Tape!;
        _inference = compiler.Compile(spec, EvaluationMode.Inference).Tape!;
        _engine = new GraphEngine();
        _engine.Evaluate(_training, EvaluationMode.Training); // warm the pooled buffers
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    [Benchmark(Baseline = true)]
    public double Training() => _engine.Evaluate(_training, EvaluationMode.Training).Value;

    [Benchmark]
    public double Inference() => _engine.Evaluate(_inference, EvaluationMode.Inference).Value;
}
