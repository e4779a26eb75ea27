using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Evaluate;

/// <summary>
/// Every evaluate answer says where its time went, in a W3C Server-Timing header: one metric per
/// stage that ran, <c>name;dur=milliseconds</c>. Only the shape is checked, never a duration's size.
/// </summary>
public sealed partial class ServerTimingTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Theory]
    [InlineData("", new[] { "read", "parse", "compile", "forward", "backward", "gc" })]
    [InlineData("?mode=inference", new[] { "read", "parse", "compile", "forward", "gc" })]
    [InlineData("?check=numeric", new[] { "read", "parse", "compile", "forward", "backward", "check", "gc" })]
    public async Task Evaluate_NamesEachStageOfTheMode(string query, string[] stages)
    {
        using var response = await _client.Evaluate(Graphs.SigmoidNeuron, query);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(stages, Stages(response).Keys);
    }

    [Fact]
    public async Task NonFiniteForward_Is422NamingTheStagesThatRan()
    {
        using var response = await _client.Evaluate("""
            {"nodes": [{"id": "a", "op": "input", "value": -1}, {"id": "lg", "op": "log", "inputs": ["a"]}]}
            """);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(["read", "parse", "compile", "forward", "gc"], Stages(response).Keys);
    }

    [Fact]
    public async Task NonFiniteGradient_Is422WithTheBackwardStage()
    {
        using var response = await _client.Evaluate("""
            {"nodes": [{"id": "a", "op": "input", "value": 0}, {"id": "r", "op": "sqrt", "inputs": ["a"]}]}
            """);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(["read", "parse", "compile", "forward", "backward", "gc"], Stages(response).Keys);
    }

    [Fact]
    public async Task WriteStage_FollowsTheBodyAsATrailer()
    {
        using var response = await _client.Evaluate(Graphs.AddMul);
        await response.Content.ReadAsStringAsync();

        Assert.Contains("Server-Timing", response.Headers.Trailer);
        string write = Assert.Single(response.TrailingHeaders.GetValues("Server-Timing"));
        Assert.Matches(MetricPattern(), write);
        Assert.StartsWith("write;", write, StringComparison.Ordinal);
    }

    /// <summary>The header's metrics in order, each checked against the W3C syntax (a token, then <c>;dur=</c> and a number).</summary>
    private static Dictionary<string, double> Stages(HttpResponseMessage response)
    {
        string header = Assert.Single(response.Headers.GetValues("Server-Timing"));
        var stages = new Dictionary<string, double>();
        foreach (string metric in header.Split(", "))
        {
            Match match = MetricPattern().Match(metric);
            Assert.True(match.Success, $"'{metric}' in '{header}' is not name;dur=milliseconds");
            double duration = double.Parse(match.Groups["dur"].Value, CultureInfo.InvariantCulture);
            Assert.True(duration >= 0, header);
            stages.Add(match.Groups["name"].Value, duration);
        }
        return stages;
    }

    [GeneratedRegex(@"^(?<name>[A-Za-z0-9!#$%&'*+.^_`|~-]+);dur=(?<dur>[0-9]+(\.[0-9]+)?)$")]
    private static partial Regex MetricPattern();
}
