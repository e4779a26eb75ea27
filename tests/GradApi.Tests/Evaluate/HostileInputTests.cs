using System.Net;
using System.Net.Http.Headers;
using System.Text;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Evaluate;

/// <summary>Bodies and requests that try the edges of the wire format: never a 5xx, always a problem that says where.</summary>
public sealed class HostileInputTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string> UnpairedSurrogates => new()
    {
        """{"nodes": [{"id": "\ud800", "op": "input", "value": 1}]}""",
        """{"\udc00x": 1}""",
        """{"expression": "x", "inputs": {"x": 1, "\ud800": 1}}""",
        """{"nodes": [{"id": "a", "op": "input", "value": 1, "label": "\udfff"}]}""",
    };

    [Theory]
    [MemberData(nameof(UnpairedSurrogates))]
    public async Task UnpairedSurrogateEscape_Is400(string body)
    {
        using var response = await _client.Evaluate(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/v1/evaluate")]
    [InlineData("/v1/parse")]
    public async Task InvalidUtf8InAString_Is400(string url)
    {
        byte[] body = [.. "{\"nodes\": [{\"id\": \"a"u8, 0xFF, 0xFE, .. "\", \"op\": \"input\", \"value\": 1}]}"u8];
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await _client.PostAsync(url, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ByteOrderMark_IsSkipped()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Graphs.AddMul)];
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await _client.PostAsync("/v1/evaluate", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(-12, (double)(await response.Json())["value"]!);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8", HttpStatusCode.OK)]
    [InlineData("application/json; charset=UTF-8", HttpStatusCode.OK)]
    [InlineData("application/json; charset=latin1", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("application/json; charset=utf-16", HttpStatusCode.UnsupportedMediaType)]
    public async Task Charset_MustBeUtf8(string contentType, HttpStatusCode expected)
    {
        using var response = await _client.PostJson("/v1/evaluate", Graphs.AddMul, contentType);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Healthz_AnswersOnlyGetAndHead()
    {
        using var post = await _client.PostAsync("/healthz", null);
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/healthz"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
    }

    [Fact]
    public async Task Parse_KeepsTheSeed()
    {
        using var response = await _client.PostJson("/v1/parse", """{"expression": "x * 2", "inputs": {"x": 1}, "seed": 3}""");

        Assert.Equal(3, (double)(await response.Json())["seed"]!);
    }

    [Fact]
    public async Task ExplainWithTooManyEdges_Is413()
    {
        using var limited = GradApiFactory.With(new() { ["GradApi:MaxExplainNodes"] = "10" });
        using var client = limited.CreateClient();
        string inputs = string.Join(",", Enumerable.Repeat("\"a\"", 50));

        using var response = await client.Evaluate($$"""{"nodes": [{"id": "a", "op": "input", "value": 1}, {"id": "s", "op": "add", "inputs": [{{inputs}}]}]}""", "?explain=true");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task CheckOnAGraphOverItsLimit_Is413()
    {
        using var limited = GradApiFactory.With(new() { ["GradApi:GradCheckMaxNodes"] = "10" });
        using var client = limited.CreateClient();

        using var within = await client.Evaluate(Graphs.SinChain(5, 0.3), "?check=numeric");
        using var over = await client.Evaluate(Graphs.SinChain(20, 0.3), "?check=numeric");

        Assert.Equal(HttpStatusCode.OK, within.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Equal("application/problem+json", over.Content.Headers.ContentType?.MediaType);
    }
}
