using System.Buffers.Text;
using BenchmarkDotNet.Attributes;
using GradApi.Answers;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;

namespace GradApi.Benchmarks;

/// <summary>
/// Formatting numbers alone: the 2 * 10^6 values and grads of the 10^6-node random DAG (a quarter of them
/// powers of two, mostly grads of 1), by <see cref="ShortestDouble"/> against the framework's formatter, which
/// <c>Utf8JsonWriter.WriteNumberValue(double)</c> calls. The Mean column reads in ns per number.
/// </summary>
[MemoryDiagnoser]
public class ShortestDoubleBenchmarks
{
    private const int Nodes = 1_000_000;

    private double[] _numbers = [];
    private readonly byte[] _destination = new byte[64];

    [GlobalSetup]
    public void Setup()
    {
        using Tape tape = new GraphCompiler().Compile(RandomGraphs.Dag(Nodes)).Tape!;
        using var engine = new GraphEngine();
        EvaluationResult evaluation = engine.Evaluate(tape, EvaluationMode.Training);
        _numbers = new double[2 * Nodes];
        for (int i = 0; i < Nodes; i++)
        {
            _numbers[2 * i] = evaluation.ValueOf(i);
            _numbers[2 * i + 1] = evaluation.GradOf(i);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 2 * Nodes)]
    public long Framework()
    {
        long length = 0;
        foreach (double number in _numbers)
        {
            Utf8Formatter.TryFormat(number, _destination, out int written);
            length += written;
        }
        return length;
    }

    [Benchmark(OperationsPerInvoke = 2 * Nodes)]
    public long Ours()
    {
        long length = 0;
        foreach (double number in _numbers) length += ShortestDouble.Format(number, _destination);
        return length;
    }
}
