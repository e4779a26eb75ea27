using GradApi.Engine.Graphs;

namespace GradApi.Benchmarks;

/// <summary>
/// Graphs to measure on: a random DAG in the shape of the contract check's generator (bounded
/// values: products squashed through tanh, divisions by 1.5 + sigmoid) and a chain of unary gates.
/// </summary>
public static class RandomGraphs
{
    private static readonly string[] Unary = ["tanh", "sigmoid", "sin", "cos", "relu", "abs", "neg"];
    private static readonly string[] Binary = ["add", "mul", "sub", "max", "min"];

    public static GraphSpec Dag(int n, int seed = 20261126)
    {
        var rng = new Random(seed);
        var spec = new GraphSpec(n, 2 * n);
        var ids = new List<string>(n);
        int leaves = Math.Max(2, n / 10);
        for (int i = 0; i < leaves; i++)
        {
            string id = $"v{i}";
            spec.AddNode(id, rng.NextDouble() < 0.8 ? "input" : "const", Math.Round(rng.NextDouble() * 4 - 2, 6), null);
            ids.Add(id);
        }

        string Pick() => ids[rng.Next(ids.Count)];
        var used = new HashSet<string>();
        void Add(string id, string op, params string[] inputs)
        {
            spec.AddNode(id, op, null, inputs);
            foreach (string input in inputs) used.Add(input);
            ids.Add(id);
        }

        for (int i = leaves; ids.Count < n - 1; i++)
        {
            double kind = rng.NextDouble();
            if (kind < 0.35)
            {
                Add($"v{i}", Unary[rng.Next(Unary.Length)], Pick());
            }
            else if (kind < 0.85)
            {
                string op = Binary[rng.Next(Binary.Length)];
                string[] inputs = op == "sub" || rng.NextDouble() < 0.8 ? [Pick(), Pick()] : [Pick(), Pick(), Pick()];
                if (op == "mul")
                {
                    Add($"m{i}", "mul", inputs);
                    Add($"v{i}", "tanh", $"m{i}");
                }
                else
                {
                    Add($"v{i}", op, inputs);
                }
            }
            else
            {
                string num = Pick(), den = Pick();
                spec.AddNode($"c{i}", "const", 1.5, null);
                ids.Add($"c{i}");
                Add($"s{i}", "sigmoid", den);
                Add($"d{i}", "add", $"c{i}", $"s{i}");
                Add($"v{i}", "div", num, $"d{i}");
            }
        }

        var sinks = ids.Where(id => !used.Contains(id)).ToArray();
        spec.AddNode("loss", "add", null, sinks.Length >= 2 ? sinks : [.. sinks, ids[0]]);
        spec.Output = "loss";
        return spec;
    }

    public static GraphSpec Chain(int n)
    {
        var spec = new GraphSpec(n, n);
        spec.AddNode("x", "input", 0.5, null);
        for (int i = 1; i < n; i++)
            spec.AddNode($"s{i}", i % 2 == 0 ? "sin" : "tanh", null, [i == 1 ? "x" : $"s{i - 1}"]);
        return spec;
    }
}
