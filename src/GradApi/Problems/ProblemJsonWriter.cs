using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace GradApi.Problems;

/// <summary>
/// Writes every problem document as <c>application/problem+json</c>, whatever the request's Accept header says,
/// with <c>type</c>, <c>title</c>, <c>status</c>, <c>instance</c> (the request's path) and <c>traceId</c> filled in.
/// </summary>
/// <remarks>
/// <see cref="IProblemDetailsService"/> asks its writers in the order they were registered and takes the first whose
/// <c>CanWrite</c> says yes. The framework's own writer says yes only to a client that accepts JSON, so a request
/// with <c>Accept: image/svg+xml</c> or <c>text/html</c> got an empty answer, a <c>text/plain</c> status page, or a 500
/// ("Unable to find a registered IProblemDetailsWriter"). An error is not a representation of the resource the client
/// asked for, and RFC 9110 (section 12.5.1) lets a server disregard Accept rather than answer 406, so this writer says
/// yes to every request and is registered ahead of the framework's (see <see cref="ProblemSetup"/>). Every path that
/// writes a problem goes through it: TypedResults.Problem and ValidationProblem, the exception handler, the
/// status-code pages, and the service's own 401, 429 and 504.
/// </remarks>
internal sealed class ProblemJsonWriter(IOptions<ProblemDetailsOptions> problems, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IProblemDetailsWriter
{
    public const string ContentType = "application/problem+json";

    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        HttpContext http = context.HttpContext;
        ProblemDetails problem = context.ProblemDetails;
        int status = problem.Status ??= http.Response.StatusCode;
        problem.Type ??= TypeOf(status);
        problem.Title ??= ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } reason ? reason : "Error";
        problem.Instance ??= (http.Request.PathBase + http.Request.Path).ToUriComponent();
        problem.Extensions.TryAdd("traceId", Activity.Current?.Id ?? http.TraceIdentifier);
        problems.Value.CustomizeProblemDetails?.Invoke(context);

        http.Response.StatusCode = status;
        return new ValueTask(http.Response.WriteAsJsonAsync(problem,
            json.Value.SerializerOptions.GetTypeInfo(problem.GetType()), ContentType));
    }

    /// <summary>The section of RFC 9110 that defines the status, as the framework links it; about:blank for others.</summary>
    private static string TypeOf(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        405 => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        406 => "https://tools.ietf.org/html/rfc9110#section-15.5.7",
        408 => "https://tools.ietf.org/html/rfc9110#section-15.5.9",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        411 => "https://tools.ietf.org/html/rfc9110#section-15.5.12",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        422 => "https://tools.ietf.org/html/rfc9110#section-15.5.21",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        431 => "https://tools.ietf.org/html/rfc6585#section-5",
        500 => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        504 => "https://tools.ietf.org/html/rfc9110#section-15.6.5",
        _ => "about:blank",
    };
}
