using BenchmarkDotNet.Running;
using GradApi.Benchmarks;

// dotnet run -c Release --project tests/GradApi.Benchmarks -- --filter '*'
// Minutes rather than an hour: one class, one size, a short in-process job, e.g.
//   GRADAPI_BENCH_N=1000000 dotnet run -c Release --project tests/GradApi.Benchmarks -- \
//     --filter '*PipelineBenchmarks*' --job short --inProcess
// (GRADAPI_BENCH_N: comma-separated sizes; BenchmarkDotNet's filter cannot select parameters.)
// gen and parse are the helpers of tests/load/bigdag.sh (HarnessTools.cs); engine N dag|chain [RUNS] times the
// scalar engine in CPU time as well as wall clock, and hashes its answers to compare two builds.
if (!HarnessTools.TryRun(args))
    BenchmarkSwitcher.FromAssembly(typeof(EngineBenchmarks).Assembly).Run(args);
