using System.Text;
using System.Text.Json;
using GradApi.CompiledGraphs;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Expressions;
using GradApi.Problems;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.CompiledGraphs;

/// <summary>
/// The values reader on batch arrays, which it reads straight from the bytes when they are plain numbers: the same
/// numbers as <see cref="JsonDocument"/> reads, whatever the whitespace, and every malformed body still reported
/// with the path, line and byte <see cref="JsonDocument"/> gives.
/// </summary>
public sealed class GraphValuesReaderTests
{
    private static readonly CompiledGraph AddMul =
        CompiledGraph.Compile(CanonicalGraph.FromJson(Encoding.UTF8.GetBytes(Graphs.AddMul)), new GraphCompiler(), new ExpressionParser())!;

    private static readonly BatchLimits Limits = new(1_000, 1_000_000);

    [Theory]
    [InlineData("""{"batch": {"x": [1,2,3]}}""")]
    [InlineData("""{"batch": {"x": [ 1 , 2 ,3 ], "y": [-0, 0.5, 1e23], "z": 4}}""")]
    [InlineData("{\"batch\": {\"x\":[\n\t1,\r\n  2\n,\t3\r\n]\n, \"y\":\t[9007199254740993, 4.9406564584124654e-324, 1.7976931348623157e308]}}")]
    [InlineData("""{"batch": {"x": [0.1000000000000000055511151231257827021181583404541015625, -1E-5, 2.5e+2]}, "grads": ["q"], "reduce": "mean"}""")]
    [InlineData("""{"batch": {"x": [1, 2], "y": [3, 4]}, "reduce": "sum", "grads": ["x", "f"]}""")]
    public void PlainArrays_InAnyJsonWhitespace_ReadAsJsonDocumentReadsThem(string body)
    {
        using GraphValues values = Read(body);

        using var document = JsonDocument.Parse(body);
        JsonElement batch = document.RootElement.GetProperty("batch");
        foreach (JsonProperty input in batch.EnumerateObject())
        {
            int k = Array.IndexOf(AddMul.InputIds, input.Name);
            if (input.Value.ValueKind == JsonValueKind.Number)
            {
                Assert.Equal(input.Value.GetDouble(), values.Scalar(k));
                continue;
            }
            double[] expected = [.. input.Value.EnumerateArray().Select(e => e.GetDouble())];
            double[] actual = values.Lanes(k)!.Value.ToArray();
            Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));
        }
        if (document.RootElement.TryGetProperty("grads", out JsonElement grads))
            Assert.Equal(grads.GetArrayLength(), values.GradNodes!.Length);
    }

    [Theory]
    [InlineData("""{"batch": {"x": [1, 2, null]}}""", "batch.x[2]", "not null")]
    [InlineData("""{"batch": {"x": [1, 2, "3"]}}""", "batch.x[2]", "Expected a number")]
    [InlineData("""{"batch": {"x": [1, {}, 3]}}""", "batch.x[1]", "Expected a number")]
    [InlineData("""{"batch": {"x": [1, 2, 1e400]}}""", "batch.x[2]", "out of the range")]
    [InlineData("""{"batch": {"x": [-1e400]}}""", "batch.x[0]", "out of the range")]
    [InlineData("""{"batch": {"x": [1, 2], "y": [1, 2, 3]}}""", "batch.y", "has 3 numbers, but batch.x has 2")]
    [InlineData("""{"batch": {"x": [ ]}}""", "batch.x", "empty")]
    public void ABadLane_IsNamedByItsPath(string body, string path, string says)
    {
        var problem = Assert.Throws<ProblemException>(() => Read(body));

        Assert.Equal(400, problem.Status);
        Assert.Equal(path, Assert.Single(problem.Errors!).Key);
        Assert.Contains(says, problem.Detail);
    }

    [Fact]
    public void MoreLanesThanTheLimit_Is413()
    {
        string lanes = string.Join(",", Enumerable.Repeat("1", Limits.MaxSize + 1));

        var problem = Assert.Throws<ProblemException>(() => Read($$$"""{"batch": {"x": [{{{lanes}}}]}}"""));

        Assert.Equal(413, problem.Status);
        Assert.Contains("batch.x has more than 1,000 numbers", problem.Detail);
    }

    [Theory]
    [InlineData("""{"batch": {"x": [1, 2, 01]}}""")]
    [InlineData("""{"batch": {"x": [1 2]}}""")]
    [InlineData("""{"batch": {"x": [1, 2,]}}""")]
    [InlineData("""{"batch": {"x": [1, -]}}""")]
    [InlineData("""{"batch": {"x": [1, 1.]}}""")]
    [InlineData("""{"batch": {"x": [1, .5]}}""")]
    [InlineData("""{"batch": {"x": [1, +5]}}""")]
    [InlineData("""{"batch": {"x": [1, 2e]}}""")]
    [InlineData("""{"batch": {"x": [1, NaN]}}""")]
    [InlineData("""{"batch": {"x": [1, 2""")]
    [InlineData("""{"batch": {"x": [1, 2]""")]
    [InlineData("""{"batch": {"x": [1, 2]} "grads": ["x"]}""")]
    [InlineData("{\"batch\": {\"x\": [1,\n 2,\n 3]},\n \"reduce\": \"sum\"\n,}")]
    [InlineData("{\"batch\": {\"x\": [1,\n 2,\n 3], \"y\": [4,\r\n5,\r\n6]\n}}\n]")]
    [InlineData("{\"batch\": {\"x\": [1, 2, 3],\n \"y\": [4, 5, 6] x}}")]
    [InlineData("{\"batch\": {\"x\": [1, 2, 3]}, \"grads\": [\"x\"]} {}")]
    public void AMalformedBody_IsReportedAtTheLineAndByteJsonDocumentGives(string body)
    {
        var expected = Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body));

        var problem = Assert.Throws<ProblemException>(() => Read(body));

        Assert.Equal(400, problem.Status);
        Assert.Equal("$", Assert.Single(problem.Errors!).Key);
        Assert.Contains($"LineNumber: {expected.LineNumber} | BytePositionInLine: {expected.BytePositionInLine}.", problem.Detail);
    }

    private static GraphValues Read(string body) =>
        GraphValuesReader.Read(Encoding.UTF8.GetBytes(body), AddMul, EvaluationMode.Training, Limits);
}
