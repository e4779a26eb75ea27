using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Expressions;
using GradApi.Evaluate;
using GradApi.Tests.CompiledGraphs;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Answers;

/// <summary>
/// The answers written as raw UTF-8 are byte for byte the answers <see cref="Utf8JsonWriter"/> wrote call by
/// call before: ids and labels that need escaping (quotes, backslashes, control characters, accents, emoji),
/// numbers of every size, long enough to span many 64 KiB chunks.
/// </summary>
public sealed class AnswerBytesTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private static readonly string[] Ids = ["x", "q\"uote", "back\\slash", "caf\u00e9", "smile\U0001F600", "tab\tand\u0001", "<b>&amp;'+`", "\u2028line", "del\u007f",
        new string([.. Enumerable.Range(0x20, 0x5F).Select(c => (char)c).Where(c => c is not '"' and not '\\')])];

    [Theory]
    [InlineData(50)]
    [InlineData(20_000)]
    public async Task EvaluateAnswer_IsWhatTheFrameworkWriterWrote(int gates)
    {
        var spec = GraphJsonReader.Read(Encoding.UTF8.GetBytes(RandomGraph(gates, seed: gates)), int.MaxValue, new ExpressionParser());
        Tape tape = new GraphCompiler().Compile(spec).Tape!;
        using var engine = new GraphEngine();
        EvaluationResult evaluation = engine.Evaluate(tape, EvaluationMode.Training);
        Assert.True(evaluation.Succeeded);

        var written = new MemoryStream();
        await new EvaluationJsonResult(evaluation).WriteAsync(PipeWriter.Create(written), CancellationToken.None);

        Assert.Equal(FrameworkWriter(evaluation), Encoding.UTF8.GetString(written.ToArray()));
    }

    [Fact]
    public async Task BatchAnswer_IsWhatTheFrameworkWriterWrites_ForTheNumbersItHolds()
    {
        HttpClient client = factory.CreateClient();
        string id = await client.RegisterId(Graphs.SigmoidNeuron);
        var random = new Random(3);
        string Lanes() => string.Join(",", Enumerable.Range(0, 20_000).Select(_ => (random.NextDouble() * 8 - 4).ToString("R", System.Globalization.CultureInfo.InvariantCulture)));

        using var response = await client.EvaluateGraph(id, "{\"batch\": {\"x0\": [" + Lanes() + "], \"x1\": [" + Lanes() + "]}}");

        byte[] answer = await response.Content.ReadAsByteArrayAsync();
        Assert.True(answer.Length > 200_000, $"{answer.Length} bytes");
        Assert.Equal(Rewritten(answer), Encoding.UTF8.GetString(answer));
    }

    /// <summary>A random graph over the ids above and many more, with labels, values across magnitudes.</summary>
    private static string RandomGraph(int gates, int seed)
    {
        var random = new Random(seed);
        var nodes = new List<object>();
        var ids = new List<string>();
        for (int i = 0; i < 40; i++)
        {
            string nodeId = i < Ids.Length ? Ids[i] : $"in{i}";
            double value = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-8, 9));
            nodes.Add(new { id = nodeId, op = "input", value, label = i % 3 == 0 ? $"input \"{nodeId}\" \u00e0 \U0001F600" : null });
            ids.Add(nodeId);
        }
        string[] ops = ["add", "mul", "sin", "tanh", "sigmoid"];
        for (int g = 0; g < gates; g++)
        {
            string op = ops[random.Next(ops.Length)];
            string[] inputs = op is "add" or "mul"
                ? [ids[random.Next(ids.Count)], ids[random.Next(ids.Count)]]
                : [ids[random.Next(ids.Count)]];
            string nodeId = g % 997 == 1 ? $"g{g}\"\u00e9\\" : $"g{g}";
            nodes.Add(new { id = nodeId, op, inputs, label = g % 50 == 0 ? $"gate {g} <{op}>" : null });
            ids.Add(nodeId);
        }
        return JsonSerializer.Serialize(new { nodes, output = ids[^1] }, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
    }

    /// <summary>The evaluate answer (no explain, no check) as it was written call by call through <see cref="Utf8JsonWriter"/>.</summary>
    private static string FrameworkWriter(EvaluationResult evaluation)
    {
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output, WriterOptions))
        {
            var spec = evaluation.Tape.Spec;
            writer.WriteStartObject();
            writer.WriteString("mode"u8, "training"u8);
            writer.WriteString("output"u8, evaluation.Tape.IdAt(evaluation.Tape.Output));
            writer.WriteNumber("value"u8, evaluation.Value);
            writer.WriteStartArray("nodes"u8);
            for (int i = 0; i < spec.NodeCount; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("id"u8, spec.IdUtf8(i));
                writer.WriteString("op"u8, GradApi.Engine.Ops.OpTable.Get(evaluation.Tape.OpAt(evaluation.Tape.PositionOf(i))).Name);
                writer.WriteNumber("value"u8, evaluation.ValueOf(i));
                writer.WriteNumber("grad"u8, evaluation.GradOf(i));
                if (spec.Label(i) is { } label) writer.WriteString("label"u8, label);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteStartObject("stats"u8);
            writer.WriteNumber("nodes"u8, evaluation.Stats.Nodes);
            writer.WriteNumber("edges"u8, evaluation.Stats.Edges);
            writer.WriteNumber("cachedPartials"u8, evaluation.Stats.CachedPartials);
            writer.WriteNumber("peakLiveValues"u8, evaluation.Stats.PeakLiveValues);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>The answer read and written again through <see cref="Utf8JsonWriter"/>, every number as a double.</summary>
    private static string Rewritten(byte[] answer)
    {
        using var document = JsonDocument.Parse(answer);
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output, WriterOptions)) Write(writer, document.RootElement);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (JsonElement item in element.EnumerateArray()) Write(writer, item);
                writer.WriteEndArray();
                break;
            case JsonValueKind.Number:
                writer.WriteNumberValue(element.GetDouble());
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        SkipValidation = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
