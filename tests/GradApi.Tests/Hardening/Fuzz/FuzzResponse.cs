using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace GradApi.Tests.Hardening.Fuzz;

/// <summary>One answer of the service, and the rules every answer keeps whatever was sent.</summary>
internal sealed partial class FuzzResponse(int status, string? mediaType, string? cacheControl, string body)
{
    public int Status { get; } = status;

    public string? MediaType { get; } = mediaType;

    public string Body { get; } = body;

    /// <summary>The body as a JSON object (a problem, or an evaluate or parse answer).</summary>
    public JsonObject Json => field ??= JsonNode.Parse(Body) as JsonObject
        ?? throw new Xunit.Sdk.XunitException($"The body is not a JSON object: {Body[..Math.Min(Body.Length, 200)]}");

    /// <summary>The messages of a validation problem, keyed by the JSON path they are about.</summary>
    public JsonObject Errors => Json["errors"] as JsonObject ?? throw new Xunit.Sdk.XunitException("The problem has no 'errors'.");

    public static async Task<FuzzResponse> Read(HttpResponseMessage response) => new(
        (int)response.StatusCode,
        response.Content.Headers.ContentType?.MediaType,
        response.Headers.CacheControl?.ToString(),
        await response.Content.ReadAsStringAsync());

    /// <summary>
    /// The contract's promises for any request: never a 5xx; every error an RFC 9457 problem
    /// (type, title, status equal to the HTTP status, detail) that says where; nothing of the
    /// server's internals in any body; no /v1 answer cached.
    /// </summary>
    public void CheckContract()
    {
        Assert.True(Status < 500, $"{Status}: no request, however malformed, may produce a 5xx.");
        Assert.DoesNotMatch(Internals(), Body);
        Assert.Contains("no-store", cacheControl ?? "no Cache-Control header");
        if (Status < 400) return;

        Assert.Equal("application/problem+json", MediaType);
        JsonObject problem = Json;
        Assert.False(string.IsNullOrWhiteSpace(Text(problem, "type")), "A problem needs a type.");
        Assert.False(string.IsNullOrWhiteSpace(Text(problem, "title")), "A problem needs a title.");
        Assert.False(string.IsNullOrWhiteSpace(Text(problem, "detail")), "A problem needs a detail.");
        Assert.Equal(Status, problem["status"]?.GetValue<int>());
        Assert.NotNull(problem["traceId"]);

        if (Status == 400)
        {
            // A 400 says where: messages keyed by a JSON path or a query parameter.
            Assert.NotEmpty(Errors);
            foreach ((string path, JsonNode? messages) in Errors)
            {
                Assert.False(string.IsNullOrEmpty(path), "An error is keyed by an empty path.");
                var list = Assert.IsType<JsonArray>(messages);
                Assert.NotEmpty(list);
                Assert.All(list, m => Assert.False(string.IsNullOrWhiteSpace(m?.GetValue<string>())));
            }
        }
        else if (Status == 422)
        {
            // A non-finite result names the first node that produced it.
            Assert.False(string.IsNullOrEmpty(Text(problem, "node")), "A 422 names its node.");
            Assert.Matches(@"^nodes\[\d+\]$", Text(problem, "path"));
            Assert.False(string.IsNullOrEmpty(Text(problem, "op")), "A 422 names its node's op.");
            Assert.Contains(Text(problem, "pass"), (string[])["forward", "backward"]);
            Assert.IsType<JsonArray>(problem["inputValues"]);
        }
    }

    /// <summary>The status must be one of <paramref name="statuses"/>.</summary>
    public void Expect(params int[] statuses) =>
        Assert.True(statuses.Contains(Status), $"Expected {string.Join(" or ", statuses)}, got {Status}: {Shorten(Body)}");

    /// <summary>A 400 whose errors name <paramref name="path"/>.</summary>
    public void ExpectError(string path)
    {
        Expect(400);
        Assert.True(Errors.ContainsKey(path), $"Expected an error at '{path}', got {Errors.ToJsonString()}");
    }

    public static string? Text(JsonObject json, string name) =>
        json[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    public static string Shorten(string text) => text.Length <= 600 ? text : text[..600] + "...";

    /// <summary>A stack frame, an exception's type name, a .NET namespace, a source file or a server path.</summary>
    [GeneratedRegex(@"\bat [\w.<>`]+\.[\w<>`]+\(|Exception\b|\b(System|Microsoft|GradApi)\.[A-Z]|\.cs:line|/work/|/home/|/usr/|[A-Z]:\\\\")]
    private static partial Regex Internals();
}
