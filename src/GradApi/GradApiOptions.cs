using System.ComponentModel.DataAnnotations;

namespace GradApi;

/// <summary>The service's settings, bound from the <c>GradApi</c> configuration section.</summary>
public sealed class GradApiOptions
{
    public const string Section = "GradApi";

    /// <summary>The most nodes one graph may have; more is a 413.</summary>
    [Range(1, 50_000_000)]
    public int MaxNodes { get; set; } = 1_000_000;

    /// <summary>The largest evaluate body in bytes; more is a 413.</summary>
    [Range(1024, 1L << 31)]
    public long MaxBodyBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>The longest expression accepted, in characters; longer is a 400.</summary>
    [Range(1, 16 * 1024 * 1024)]
    public int MaxExpressionLength { get; set; } = 64 * 1024;

    /// <summary>The deepest nesting of parentheses, calls, unary minus and powers in an expression.</summary>
    [Range(1, 10_000)]
    public int MaxExpressionDepth { get; set; } = 256;

    /// <summary>The most nodes a graph may have for <c>explain=true</c>; more is a 413.</summary>
    [Range(1, 50_000_000)]
    public int MaxExplainNodes { get; set; } = 10_000;

    /// <summary>The most nodes a graph may have for <c>check=numeric</c>, which runs up to two forward passes per leaf; more is a 413.</summary>
    [Range(1, 50_000_000)]
    public int GradCheckMaxNodes { get; set; } = 100_000;

    /// <summary>Past this many input leaves, <c>check=numeric</c> checks one random direction instead of every leaf.</summary>
    [Range(1, 1_000_000)]
    public int GradCheckMaxLeaves { get; set; } = 256;

    /// <summary>The most nodes a graph may have for POST /v1/render; more is a 413.</summary>
    [Range(1, 100_000)]
    public int MaxRenderNodes { get; set; } = 500;

    /// <summary>The most points in one batch of POST /v1/graphs/{id}/evaluate; more is a 413.</summary>
    [Range(1, 100_000_000)]
    public int MaxBatchSize { get; set; } = 1_000_000;

    /// <summary>The most points x nodes one batch may evaluate; more is a 413.</summary>
    [Range(1, 1L << 40)]
    public long MaxBatchWork { get; set; } = 50_000_000;

    /// <summary>
    /// Start a large graph's compile while its body is parsed, on another core when the thread pool has no work waiting
    /// (<see cref="Engine.Compilation.CompileAhead"/>). Off: every compile runs after the parse. The rule sees only this
    /// process's work: on a machine whose cores other processes keep busy, the compile beside the parse takes the parse's
    /// core time, and turning it off may answer sooner.
    /// </summary>
    public bool CompileAhead { get; set; } = true;

    /// <summary>
    /// How many nodes the graph has that runs a few times through a large request's path once the service has started,
    /// in the background, so that the first large request finds that path's code optimized (see Hosting/Warmup); 0: none.
    /// </summary>
    [Range(0, 1_000_000)]
    public int WarmupNodes { get; set; } = 20_000;

    /// <summary>Serve Swagger UI at /swagger and the OpenAPI document at /swagger/v1/swagger.json.</summary>
    public bool Swagger { get; set; } = true;

    /// <summary>Collect metrics and serve them for Prometheus at /metrics.</summary>
    public bool Metrics { get; set; } = true;
}
