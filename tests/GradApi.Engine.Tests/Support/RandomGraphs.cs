using GradApi.Engine.Graphs;

namespace GradApi.Engine.Tests.Support;

/// <summary>
/// Random DAGs from a size and a seed, built from ops that are defined everywhere, with every
/// value kept bounded so finite differences stay accurate: exp only on values in [-2, 2], and a
/// gate whose value would leave [-10, 10] is replaced by tanh of its first input. Nodes are
/// listed in a shuffled order, so nodes often name inputs that come later in the array.
/// </summary>
internal static class RandomGraphs
{
    private static readonly string[] Unary = ["neg", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "exp"];
    private static readonly string[] NAry = ["add", "mul", "max", "min"];

    public static GraphSpec Generate(int size, int seed)
    {
        if (size < 2) throw new ArgumentOutOfRangeException(nameof(size), "A graph needs a leaf and a gate.");
        var rng = new Random(seed);
        int leaves = Math.Min(size - 1, 1 + rng.Next(Math.Max(1, size / 3)));

        var nodes = new List<(string Id, string Op, double? Value, string[]? Inputs)>(size);
        var values = new List<double>(size);
        for (int i = 0; i < leaves; i++)
        {
            double value = Math.Round(rng.NextDouble() * 4 - 2, 3);
            nodes.Add(($"n{i}", i == 0 || rng.NextDouble() < 0.8 ? "input" : "const", value, null));
            values.Add(value);
        }

        for (int i = leaves; i < size; i++)
        {
            string op = PickOp(rng);
            int arity = Array.IndexOf(Unary, op) >= 0 ? 1 : op == "sub" ? 2 : 2 + rng.Next(3);
            var picks = new int[arity];
            for (int k = 0; k < arity; k++)
                picks[k] = rng.NextDouble() < 0.5 ? i - 1 - rng.Next(Math.Min(i, 3)) : rng.Next(i);

            if (op == "exp" && Math.Abs(values[picks[0]]) > 2) op = "tanh";
            double value = ReferenceOps.Apply(op, picks.Select(p => values[p]).ToArray());
            if (Math.Abs(value) > 10)
            {
                op = "tanh";
                picks = [picks[0]];
                value = Math.Tanh(values[picks[0]]);
            }

            nodes.Add(($"n{i}", op, null, picks.Select(p => $"n{p}").ToArray()));
            values.Add(value);
        }

        var spec = new GraphSpec();
        foreach (var node in Shuffled(nodes, rng)) spec.AddNode(node.Id, node.Op, node.Value, node.Inputs);
        spec.Output = $"n{size - 1}";
        spec.Seed = rng.NextDouble() < 0.5 ? 1 : Math.Round((rng.NextDouble() + 0.5) * (rng.Next(2) * 2 - 1), 3);
        return spec;
    }

    private static string PickOp(Random rng)
    {
        int pick = rng.Next(Unary.Length + NAry.Length + 1);
        return pick < Unary.Length ? Unary[pick] : pick < Unary.Length + NAry.Length ? NAry[pick - Unary.Length] : "sub";
    }

    private static List<T> Shuffled<T>(List<T> items, Random rng)
    {
        var copy = new List<T>(items);
        for (int i = copy.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (copy[i], copy[j]) = (copy[j], copy[i]);
        }
        return copy;
    }
}
