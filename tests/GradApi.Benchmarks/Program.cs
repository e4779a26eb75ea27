using BenchmarkDotNet.Running;
using GradApi.Benchmarks;

// dotnet run -c Release --project tests/GradApi.Benchmarks -- --filter '*'
// gen and parse are the helpers of tests/load/bigdag.sh (HarnessTools.cs).
if (!HarnessTools.TryRun(args))
    BenchmarkSwitcher.FromAssembly(typeof(EngineBenchmarks).Assembly).Run(args);
