using System.Text.Json;
using System.Text.Json.Serialization;
using GradApi.Evaluate;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Evaluate;

/// <summary>
/// The answers are written by hand, straight from the engine's buffers; the records in
/// Contracts.cs describe them in the OpenAPI document. These tests hold the two together: every
/// member written is a member of the record, and every required member is there.
/// </summary>
public sealed class ResponseShapeTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    private readonly HttpClient _client = factory.CreateClient();

    [Theory]
    [InlineData("")]
    [InlineData("?mode=inference")]
    [InlineData("?explain=true")]
    [InlineData("?check=numeric")]
    public async Task Evaluate_AnswersTheEvaluateResponseRecord(string query)
    {
        using var response = await _client.Evaluate(
            """{"expression": "sigmoid(w0*x0 + w1*x1 + w2)", "inputs": {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}}""", query);

        var body = JsonSerializer.Deserialize<EvaluateResponse>(await response.Content.ReadAsStringAsync(), Strict)!;
        Assert.Equal(0.7310585786300049, body.Value, 15);
        Assert.Equal(query == "?mode=inference", body.Nodes is null);
        Assert.Equal(query == "?explain=true", body.Backward is not null);
        Assert.Equal(query == "?check=numeric", body.Gradcheck is not null);
    }

    [Fact]
    public async Task Parse_AnswersTheParseResponseRecord()
    {
        using var response = await _client.PostJson("/v1/parse", """{"expression": "(x + y) * z", "inputs": {"x": -2, "y": 5, "z": -4}}""");

        var body = JsonSerializer.Deserialize<ParseResponse>(await response.Content.ReadAsStringAsync(), Strict)!;
        Assert.Equal("mul1", body.Output);
        Assert.Equal(["x", "y", "add1", "z", "mul1"], body.Nodes.Select(n => n.Id));
    }

    [Fact]
    public async Task Ops_AnswersOpDescriptionRecords()
    {
        string json = await _client.GetStringAsync("/v1/ops");

        var ops = JsonSerializer.Deserialize<OpDescription[]>(json, Strict)!;
        Assert.Equal(20, ops.Length);
    }
}
