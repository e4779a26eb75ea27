using System.Net;
using System.Text.Json.Nodes;
using GradApi.Engine.Compilation;
using GradApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace GradApi.Tests.Hardening;

/// <summary>Optional API keys, CORS only when configured, no caching of answers, no internals in errors.</summary>
public sealed class SecurityTests
{
    private const string Key = "k3y-for-the-tests-0123456789";
    private const string OtherKey = "another-key-for-the-tests";
    private static readonly Dictionary<string, string?> WithKeys = new() { ["GradApi:ApiKeys:0"] = Key, ["GradApi:ApiKeys:1"] = OtherKey };

    public static TheoryData<string?, HttpStatusCode> KeyMatrix => new()
    {
        { null, HttpStatusCode.Unauthorized },
        { "", HttpStatusCode.Unauthorized },
        { "wrong-key", HttpStatusCode.Unauthorized },
        { Key[..^1], HttpStatusCode.Unauthorized },
        { Key + "x", HttpStatusCode.Unauthorized },
        { Key, HttpStatusCode.OK },
        { OtherKey, HttpStatusCode.OK },
    };

    [Theory]
    [MemberData(nameof(KeyMatrix))]
    public async Task WithKeysConfigured_EvaluateNeedsAKnownKey(string? key, HttpStatusCode expected)
    {
        using var factory = HardeningFactory.InMemory(WithKeys);
        using var client = factory.CreateClient();
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);

        using var evaluate = await client.Evaluate(Graphs.AddMul);
        using var ops = await client.GetAsync("/v1/ops");

        Assert.Equal(expected, evaluate.StatusCode);
        Assert.Equal(expected, ops.StatusCode);
        if (expected == HttpStatusCode.Unauthorized)
        {
            Assert.Equal("ApiKey header=\"X-Api-Key\"", evaluate.Headers.WwwAuthenticate.ToString());
            Assert.Equal("application/problem+json", evaluate.Content.Headers.ContentType?.MediaType);
            Assert.Equal(401, (int)(await evaluate.Json())["status"]!);
            Assert.Equal("no-store", evaluate.Headers.CacheControl?.ToString());
        }
    }

    [Fact]
    public async Task WithKeysConfigured_HealthzAndSwaggerStayOpen()
    {
        using var factory = HardeningFactory.InMemory(WithKeys);
        using var client = factory.CreateClient();

        using var health = await client.GetAsync("/healthz");
        using var swagger = await client.GetAsync("/swagger/v1/swagger.json");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, swagger.StatusCode);
    }

    [Fact]
    public async Task WithoutKeys_TheServiceIsOpen_AndTheDocumentHasNoSecurityScheme()
    {
        using var factory = HardeningFactory.InMemory();
        using var client = factory.CreateClient();

        using var evaluate = await client.Evaluate(Graphs.AddMul);
        var doc = JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!;

        Assert.Equal(HttpStatusCode.OK, evaluate.StatusCode);
        Assert.Null(doc["components"]?["securitySchemes"]);
        var responses = doc["paths"]!["/v1/evaluate"]!["post"]!["responses"]!;
        Assert.NotNull(responses["429"]?["headers"]?["Retry-After"]);
        Assert.NotNull(responses["504"]);
        Assert.Null(responses["401"]);
    }

    [Fact]
    public async Task WithKeysConfigured_TheDocumentDescribesTheApiKeyScheme()
    {
        using var factory = HardeningFactory.InMemory(WithKeys);
        using var client = factory.CreateClient();

        var doc = JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!;

        var scheme = doc["components"]!["securitySchemes"]!["ApiKey"]!;
        Assert.Equal("apiKey", (string)scheme["type"]!);
        Assert.Equal("header", (string)scheme["in"]!);
        Assert.Equal("X-Api-Key", (string)scheme["name"]!);
        Assert.NotNull(doc["security"]![0]!["ApiKey"]);
        Assert.NotNull(doc["paths"]!["/v1/evaluate"]!["post"]!["responses"]!["401"]);
    }

    [Fact]
    public async Task Keys_NeverReachTheLog()
    {
        using var factory = HardeningFactory.InMemory(WithKeys);
        using var client = factory.CreateClient();

        foreach (string key in new[] { Key, "a-wrong-key-that-must-not-be-logged" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/evaluate") { Content = new StringContent(Graphs.AddMul) };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.Add("X-Api-Key", key);
            using var response = await client.SendAsync(request);
        }

        string log = factory.Log.AllText();
        Assert.Contains("unknown API key", log);
        Assert.DoesNotContain(Key, log);
        Assert.DoesNotContain("a-wrong-key-that-must-not-be-logged", log);
    }

    [Fact]
    public async Task Cors_IsOffUnlessConfigured()
    {
        using (var factory = HardeningFactory.InMemory())
        using (var client = factory.CreateClient())
        {
            using var response = await Preflight(client, "https://playground.example");
            Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        }

        using var configured = HardeningFactory.InMemory(new() { ["GradApi:CorsOrigins:0"] = "https://playground.example" });
        using var configuredClient = configured.CreateClient();
        using (var allowed = await Preflight(configuredClient, "https://playground.example"))
            Assert.Equal("https://playground.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        using (var other = await Preflight(configuredClient, "https://elsewhere.example"))
            Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Answers_AreNotCached()
    {
        using var factory = HardeningFactory.InMemory();
        using var client = factory.CreateClient();

        using var ok = await client.Evaluate(Graphs.AddMul);
        using var invalid = await client.Evaluate("""{"nodes": []}""");
        using var notFound = await client.GetAsync("/nowhere");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        foreach (var response in new[] { ok, invalid, notFound })
            Assert.Contains("no-store", response.Headers.CacheControl?.ToString());
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public async Task AnUnexpectedError_ShowsNoInternalsOutsideDevelopment(string environment)
    {
        using var factory = HardeningFactory.InMemory(services: services =>
            services.AddSingleton<GraphCompiler>(_ => throw new InvalidOperationException("secret internal detail")),
            environment: environment);
        using var client = factory.CreateClient();

        using var response = await client.Evaluate(Graphs.AddMul);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        string body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret internal detail", body);
        Assert.DoesNotContain("InvalidOperationException", body);
        Assert.DoesNotContain(" at ", body);
    }

    private static Task<HttpResponseMessage> Preflight(HttpClient client, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/v1/evaluate");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        return client.SendAsync(request);
    }
}
