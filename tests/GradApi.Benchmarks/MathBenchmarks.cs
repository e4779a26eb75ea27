using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using GradApi.Engine.Ops;

namespace GradApi.Benchmarks;

/// <summary>
/// The engines' exp, tanh and sin (VectorMath) against the C library's (Math), on 1024 arguments
/// in [-4, 4]: one number at a time, through the ops' scalar rules as the scalar engine calls them,
/// and four lanes at a time, as the batch engine does. The Mean column reads in ns per argument.
/// </summary>
public class MathBenchmarks
{
    private const int Count = 1024;
    private readonly double[] _x = new double[Count];
    private readonly double[] _y = new double[Count];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        for (int i = 0; i < Count; i++) _x[i] = rng.NextDouble() * 8 - 4;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Count)]
    public void LibraryExp() { for (int i = 0; i < Count; i++) _y[i] = Math.Exp(_x[i]); }

    [Benchmark(OperationsPerInvoke = Count)]
    public void ScalarExp() { for (int i = 0; i < Count; i++) _y[i] = OpTable.Forward1(OpCode.Exp, _x[i]); }

    [Benchmark(OperationsPerInvoke = Count)]
    public void LanesExp() { for (int i = 0; i < Count; i += 4) VectorMath.Exp(Vector256.Create(_x.AsSpan(i, 4))).CopyTo(_y.AsSpan(i)); }

    [Benchmark(OperationsPerInvoke = Count)]
    public void LibraryTanh() { for (int i = 0; i < Count; i++) _y[i] = Math.Tanh(_x[i]); }

    [Benchmark(OperationsPerInvoke = Count)]
    public void ScalarTanh() { for (int i = 0; i < Count; i++) _y[i] = OpTable.Forward1(OpCode.Tanh, _x[i]); }

    [Benchmark(OperationsPerInvoke = Count)]
    public void LanesTanh() { for (int i = 0; i < Count; i += 4) VectorMath.Tanh(Vector256.Create(_x.AsSpan(i, 4))).CopyTo(_y.AsSpan(i)); }

    [Benchmark(OperationsPerInvoke = Count)]
    public void LibrarySin() { for (int i = 0; i < Count; i++) _y[i] = Math.Sin(_x[i]); }

    [Benchmark(OperationsPerInvoke = Count)]
    public void ScalarSin() { for (int i = 0; i < Count; i++) _y[i] = OpTable.Forward1(OpCode.Sin, _x[i]); }

    [Benchmark(OperationsPerInvoke = Count)]
    public void LanesSin()
    {
        for (int i = 0; i < Count; i += 4)
        {
            VectorMath.SinCos(Vector256.Create(_x.AsSpan(i, 4)), out Vector256<double> sin, out _);
            sin.CopyTo(_y.AsSpan(i));
        }
    }
}
