using System.Text.Json.Nodes;

namespace GradApi.Tests.CompiledGraphs;

/// <summary>The worked examples of shared/examples (copied into examples/): their bodies and expected answers.</summary>
internal static class Example
{
    public static string Body(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "CompiledGraphs", "examples", name + ".json"));

    /// <summary>The expected file: output, value, and each node's value and grad.</summary>
    public static JsonObject Expected(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "CompiledGraphs", "examples", name + ".expected.json")))!.AsObject();
}
