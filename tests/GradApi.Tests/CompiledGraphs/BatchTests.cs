using System.Net;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.CompiledGraphs;

public sealed class BatchTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Batch_AnswersEachPointsValue()
    {
        string id = await _client.RegisterId(Graphs.AddMul);

        using var response = await _client.EvaluateGraph(id, """{"batch": {"x": [1, 2, 3], "y": 5}}""");

        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
    }
}
