using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/GradApi.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(GradApi.Benchmarks.EngineBenchmarks).Assembly).Run(args);
