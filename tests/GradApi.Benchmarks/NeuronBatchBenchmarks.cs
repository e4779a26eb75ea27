using BenchmarkDotNet.Attributes;
using GradApi.Engine.Batching;
using GradApi.Engine.Evaluation;

namespace GradApi.Benchmarks;

/// <summary>
/// The seed's sigmoid neuron (15 nodes) at B = 10^5 samples: the batch engine against the scalar
/// engine run B times (the baseline). The Mean column reads in ns per node-sample; multiply by
/// 1.5 * 10^6 for one evaluation of the whole batch.
/// </summary>
[MemoryDiagnoser]
public class NeuronBatchBenchmarks
{
    public const int Nodes = 15;
    public const int Size = 100_000;
    private const int NodeSamples = Nodes * Size;

    private BatchWorkload _workload = null!;
    private BatchEngine _batch = null!;
    private GraphEngine _scalar = null!;

    [GlobalSetup]
    public void Setup()
    {
        _workload = new BatchWorkload(BatchWorkload.Neuron(), Size);
        _batch = new BatchEngine();
        _scalar = new GraphEngine();
        if (!_workload.Train(_batch).Succeeded) throw new InvalidOperationException("The batch fails.");
        _scalar.Evaluate(_workload.Tape, EvaluationMode.Training);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _batch.Dispose();
        _scalar.Dispose();
        _workload.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = NodeSamples)]
    public double ScalarTrainingTimesB()
    {
        double sum = 0;
        for (int i = 0; i < Size; i++) sum += _scalar.Evaluate(_workload.Tape, EvaluationMode.Training).Value;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = NodeSamples)]
    public double BatchTraining() => _workload.Train(_batch).Values[0];

    [Benchmark(OperationsPerInvoke = NodeSamples)]
    public double BatchTrainingMeanGrads() => _workload.Train(_batch, BatchReduce.Mean).Grad(0)[0];

    [Benchmark(OperationsPerInvoke = NodeSamples)]
    public double BatchInference() => _workload.Infer(_batch).Values[0];
}
