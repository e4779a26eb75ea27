using System.Net;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Hosting;

public sealed class HealthTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Liveness_IsHealthyWithoutRunningTheReadinessChecks()
    {
        using var response = await _client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readiness_WithTheInProcessStore_IsHealthyAndSaysWhereGraphsAreKept()
    {
        using var response = await _client.GetAsync("/healthz/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Json();
        Assert.Equal("Healthy", (string)body["status"]!);
        var store = body["checks"]!["graph-store"]!;
        Assert.Equal("Healthy", (string)store["status"]!);
        Assert.Contains("in this process", (string)store["description"]!);
    }

    [Fact]
    public async Task Readiness_AnswersHeadAndRefusesPost()
    {
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/healthz/ready"));
        using var post = await _client.PostAsync("/healthz/ready", null);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public async Task ReplicaHeader_IsAbsentByDefault()
    {
        using var response = await _client.GetAsync("/healthz");

        Assert.False(response.Headers.Contains("X-GradApi-Replica"));
    }
}

public sealed class ReplicaHeaderTests
{
    [Fact]
    public async Task ReplicaHeader_NamesTheReplicaOnAnswersAndOnProblems()
    {
        using var factory = GradApiFactory.With(new() { ["GradApi:ReplicaName"] = "api-2" });
        using var client = factory.CreateClient();

        using var health = await client.GetAsync("/healthz");
        using var evaluate = await client.Evaluate(Graphs.AddMul);
        using var notJson = await client.Evaluate("{not json");
        using var missing = await client.GetAsync("/v1/nothing-here");

        foreach (var response in new[] { health, evaluate, notJson, missing })
            Assert.Equal(["api-2"], response.Headers.GetValues("X-GradApi-Replica"));
        Assert.Equal(HttpStatusCode.OK, evaluate.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [InlineData("two words")]
    [InlineData("api\r\nX-Injected: 1")]
    public void ReplicaName_ThatIsNoHeaderValue_StopsTheServiceAtStartup(string name)
    {
        using var factory = GradApiFactory.With(new() { ["GradApi:ReplicaName"] = name });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("GradApi:ReplicaName", error.ToString());
    }
}
