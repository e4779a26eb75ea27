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

    /// <summary>Serve Swagger UI at /swagger and the OpenAPI document at /swagger/v1/swagger.json.</summary>
    public bool Swagger { get; set; } = true;
}
