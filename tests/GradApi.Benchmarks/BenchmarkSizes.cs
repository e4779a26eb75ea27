namespace GradApi.Benchmarks;

/// <summary>
/// The graph sizes to measure. Every size by default; set <c>GRADAPI_BENCH_N</c> (comma-separated,
/// e.g. <c>1000000</c>) to run only some, since BenchmarkDotNet's filter cannot select parameters.
/// </summary>
public static class BenchmarkSizes
{
    public static IEnumerable<int> Or(params int[] defaults) =>
        Environment.GetEnvironmentVariable("GRADAPI_BENCH_N") is { Length: > 0 } sizes
            ? sizes.Split(',').Select(int.Parse)
            : defaults;
}
