using System.Text.Json;
using GradApi.Engine.Graphs;

namespace GradApi.Benchmarks;

/// <summary>Writes a spec as a compact evaluate body.</summary>
public static class GraphJson
{
    public static byte[] Serialize(GraphSpec spec)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("nodes");
            for (int i = 0; i < spec.NodeCount; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("id", spec.Id(i));
                writer.WriteString("op", spec.Op(i));
                if (spec.HasValue(i)) writer.WriteNumber("value", spec.Value(i));
                if (spec.HasInputs(i))
                {
                    writer.WriteStartArray("inputs");
                    for (int k = 0; k < spec.InputCountOf(i); k++) writer.WriteStringValue(spec.Input(i, k));
                    writer.WriteEndArray();
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            if (spec.Output is not null) writer.WriteString("output", spec.Output);
            writer.WriteEndObject();
        }
        return stream.ToArray();
    }
}
