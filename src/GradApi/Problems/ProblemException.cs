namespace GradApi.Problems;

/// <summary>
/// A client error found while reading a request, before any handler runs (a body that is not JSON,
/// too large, of the wrong media type). <see cref="ProblemExceptionHandler"/> answers it as a problem document.
/// </summary>
public sealed class ProblemException(int status, string title, string detail, IDictionary<string, string[]>? errors = null,
    IDictionary<string, object?>? extensions = null)
    : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public string Detail { get; } = detail;

    /// <summary>Messages keyed by the JSON path they are about, as in a validation problem.</summary>
    public IDictionary<string, string[]>? Errors { get; } = errors;

    /// <summary>Further members of the problem document, such as an expression error's column.</summary>
    public IDictionary<string, object?>? Extensions { get; } = extensions;

    public static ProblemException InvalidBody(string path, string message) =>
        new(StatusCodes.Status400BadRequest, "The body is not a valid graph", $"{path}: {message}",
            new Dictionary<string, string[]> { [path] = [message] });
}
