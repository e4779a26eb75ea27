using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Rendering;

internal static class RenderGraphs
{
    // Ops that keep values in [-1, 1] when their inputs are, so a deep random graph stays finite.
    private static readonly string[] Unary = ["tanh", "sin", "sigmoid", "neg"];
    private static readonly string[] NAry = ["mul", "max", "min"];

    /// <summary>A random graph body: leaves in [-1, 1], then gates each reading 1 to 3 earlier nodes, often the one just before.</summary>
    public static string RandomNodes(int size, int seed)
    {
        var rng = new Random(seed);
        int leaves = Math.Max(1, size / 8);
        var nodes = new List<object>(size);
        for (int i = 0; i < leaves; i++) nodes.Add(new { id = $"v{i}", op = "input", value = Math.Round(rng.NextDouble() * 2 - 1, 3) });
        for (int i = leaves; i < size; i++)
        {
            bool unary = rng.NextDouble() < 0.5;
            string op = unary ? Unary[rng.Next(Unary.Length)] : NAry[rng.Next(NAry.Length)];
            int arity = unary ? 1 : 2 + rng.Next(2);
            var inputs = Enumerable.Range(0, arity).Select(_ => $"v{(rng.NextDouble() < 0.5 ? i - 1 : rng.Next(i))}").ToArray();
            nodes.Add(new { id = $"v{i}", op, inputs });
        }
        return Http.Serialize(new { nodes, output = $"v{size - 1}" });
    }
}
