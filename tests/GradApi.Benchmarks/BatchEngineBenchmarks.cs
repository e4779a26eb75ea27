using BenchmarkDotNet.Attributes;
using GradApi.Engine.Batching;
using GradApi.Engine.Evaluation;

namespace GradApi.Benchmarks;

/// <summary>
/// The batch engine on a 10^4-node random DAG (<see cref="RandomGraphs.Dag"/>) at B = 1024 samples,
/// against the scalar engine run B times on the same tape (the baseline), and against itself on one
/// thread (the batch's tiles otherwise run on every core). Each benchmark counts one operation per
/// node and sample, so the Mean column reads in ns per node-sample (of wall time).
/// </summary>
[MemoryDiagnoser]
public class BatchEngineBenchmarks
{
    public const int Nodes = 10_000;
    public const int Size = 1024;
    private const int NodeSamples = Nodes * Size;

    private BatchWorkload _workload = null!;
    private BatchEngine _batch = null!;
    private BatchEngine _oneThread = null!;
    private GraphEngine _scalar = null!;

    [GlobalSetup]
    public void Setup()
    {
        _workload = new BatchWorkload(RandomGraphs.Dag(Nodes), Size);
        if (_workload.Spec.NodeCount != Nodes) throw new InvalidOperationException($"The DAG has {_workload.Spec.NodeCount} nodes, not {Nodes}.");
        _batch = new BatchEngine();
        _oneThread = new BatchEngine(GradApi.Engine.Buffers.BufferPool<double>.Shared, maxWorkers: 1, parallelWork: long.MaxValue);
        _scalar = new GraphEngine();
        if (!_workload.Train(_batch).Succeeded || !_workload.Infer(_batch).Succeeded) throw new InvalidOperationException("The batch fails.");
        _scalar.Evaluate(_workload.Tape, EvaluationMode.Training);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _batch.Dispose();
        _oneThread.Dispose();
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
    public double BatchTrainingOneThread() => _workload.Train(_oneThread).Values[0];

    [Benchmark(OperationsPerInvoke = NodeSamples)]
    public double ScalarInferenceTimesB()
    {
        double sum = 0;
        for (int i = 0; i < Size; i++) sum += _scalar.Evaluate(_workload.Tape, EvaluationMode.Inference).Value;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = NodeSamples)]
    public double BatchInference() => _workload.Infer(_batch).Values[0];

    [Benchmark(OperationsPerInvoke = NodeSamples)]
    public double BatchInferenceOneThread() => _workload.Infer(_oneThread).Values[0];
}
