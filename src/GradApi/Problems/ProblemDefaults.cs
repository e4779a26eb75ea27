namespace GradApi.Problems;

/// <summary>Says what to do next on the problems the framework writes without a detail.</summary>
internal static class ProblemDefaults
{
    public static void Explain(ProblemDetailsContext context)
    {
        HttpContext http = context.HttpContext;
        context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
        {
            StatusCodes.Status404NotFound => $"No endpoint at {http.Request.Path}. The OpenAPI document (/swagger) lists them.",
            StatusCodes.Status405MethodNotAllowed => $"{http.Request.Method} is not allowed on {http.Request.Path}"
                + (http.Response.Headers.Allow is { Count: > 0 } allow ? $"; use {allow}." : "."),
            StatusCodes.Status415UnsupportedMediaType => $"Send the body as application/json, not '{http.Request.ContentType ?? "no content type"}'.",
            StatusCodes.Status400BadRequest => $"The request to {http.Request.Path} is not valid; the OpenAPI document (/swagger) describes it.",
            >= StatusCodes.Status500InternalServerError => "The service failed to answer; the traceId names the failure in its log.",
            _ => null,
        };
    }
}
