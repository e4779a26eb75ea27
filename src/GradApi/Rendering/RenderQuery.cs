using Microsoft.AspNetCore.Mvc;

namespace GradApi.Rendering;

/// <summary>The options of a render call, from its query string.</summary>
public sealed record RenderQuery
{
    /// <summary><c>svg</c> (the default), <c>dot</c> or <c>mermaid</c>.</summary>
    [FromQuery(Name = "format")]
    public string? Format { get; init; }

    internal PictureFormat PictureFormat => Format?.ToLowerInvariant() switch
    {
        "dot" => PictureFormat.Dot,
        "mermaid" => PictureFormat.Mermaid,
        _ => PictureFormat.Svg,
    };
}

internal enum PictureFormat
{
    Svg,
    Dot,
    Mermaid,
}
