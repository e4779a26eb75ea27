using System.Text.Json;
using System.Text.Json.Nodes;

namespace GradApi.Tests.Infrastructure;

/// <summary>Where two JSON documents first differ, as a JSON path, for a failure message that says where to look.</summary>
internal static class JsonDifference
{
    /// <summary>Null when equal; numbers are compared as doubles (1 and 1.0 are equal).</summary>
    public static string? First(JsonNode? expected, JsonNode? actual, string path = "$")
    {
        switch (expected, actual)
        {
            case (null, null):
                return null;
            case (JsonObject e, JsonObject a):
                foreach ((string key, JsonNode? value) in e)
                {
                    if (!a.ContainsKey(key)) return $"{path}.{key} is missing";
                    if (First(value, a[key], $"{path}.{key}") is { } inner) return inner;
                }
                return a.Select(p => p.Key).FirstOrDefault(key => !e.ContainsKey(key)) is { } extra ? $"{path}.{extra} is new" : null;
            case (JsonArray e, JsonArray a):
                for (int i = 0; i < Math.Min(e.Count, a.Count); i++)
                    if (First(e[i], a[i], $"{path}[{i}]") is { } inner) return inner;
                return e.Count == a.Count ? null : $"{path} has {a.Count} items, not {e.Count}";
            case (JsonValue e, JsonValue a) when e.GetValueKind() == JsonValueKind.Number && a.GetValueKind() == JsonValueKind.Number:
                return e.GetValue<double>() == a.GetValue<double>() ? null : $"{path} is {a.ToJsonString()}, not {e.ToJsonString()}";
            default:
                return JsonNode.DeepEquals(expected, actual) ? null : $"{path} is {actual?.ToJsonString() ?? "null"}, not {expected?.ToJsonString() ?? "null"}";
        }
    }
}
