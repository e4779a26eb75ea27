using System.Text.Json.Nodes;

namespace GradApi.Tests.Hardening.Fuzz;

internal sealed record FuzzNode(string Id, string Op, double? Value, int[]? Inputs, string? Label);

/// <summary>
/// A random valid graph: a DAG over every op of GET /v1/ops, listed in a shuffled order, with its
/// own plain evaluator (<see cref="FuzzReference"/> as the op rules) to referee the service.
/// <para>
/// Tame graphs keep every value in [-10, 10] and every op at least <see cref="SmoothMargin"/> from a
/// kink or a singularity (a gate that would not is replaced by tanh), so their gradients can be
/// checked against central differences. Wild graphs take whatever comes, extreme leaf values
/// included: log of a negative, 0/0, overflow, ties; they are held to the contract's shape only.
/// </para>
/// </summary>
internal sealed class FuzzGraph
{
    /// <summary>A graph is smooth where every op is at least this far from where it is undefined or kinks.</summary>
    public const double SmoothMargin = 0.05;

    /// <summary>Ids that make escaping work: quotes, markup, control characters, surrogate pairs, white space.</summary>
    private static readonly string[] ExoticIds =
        ["x y", "\"q\"", "<b>&amp;", "a\\b", "é", "😀", "\u0001", "\u0000z", "\t", " ", "nodes[0].id", "{}", "--", "a\nb", "\u2028", "'", "%s"];

    private static readonly double[] ExtremeValues =
        [0, -0.0, 1e308, -1e308, double.Epsilon, 1e-300, 1e300, 710, -745, 1, -1, 0.5, 2, -2, 1e-8];

    /// <summary>The nodes in the order the body lists them.</summary>
    public required FuzzNode[] Nodes { get; init; }

    /// <summary>Body indices in an order where every node comes after its inputs.</summary>
    public required int[] Order { get; init; }

    /// <summary>The output as sent (null: left to the service, the graph having one sink).</summary>
    public string? Output { get; set; }

    /// <summary>The body index of the node the service must differentiate.</summary>
    public required int OutputIndex { get; init; }

    public double? Seed { get; init; }

    public double SeedValue => Seed ?? 1;

    public int EdgeCount => Nodes.Sum(n => n.Inputs?.Length ?? 0);

    public static FuzzGraph Generate(Random rng, IReadOnlyList<FuzzOp> ops, int size, bool wild)
    {
        FuzzOp[] gates = ops.Where(o => !o.IsLeaf).ToArray();
        FuzzOp[] leafOps = ops.Where(o => o.IsLeaf).ToArray();
        int leaves = size == 1 ? 1 : Math.Min(size - 1, 1 + rng.Next(Math.Max(1, size / 3)));
        bool exoticIds = rng.NextDouble() < 0.15;

        // Built in topological order: built[i] reads only built[< i].
        var built = new List<(string Op, double? Value, int[]? Inputs, string? Label)>(size);
        var values = new List<double>(size);
        for (int i = 0; i < leaves; i++)
        {
            double value = wild && rng.NextDouble() < 0.4
                ? ExtremeValues[rng.Next(ExtremeValues.Length)]
                : Math.Round(rng.NextDouble() * 6 - 3, 3);
            string op = i == 0 || rng.NextDouble() < 0.8 ? "input" : leafOps[rng.Next(leafOps.Length)].Name;
            built.Add((op, value, null, null));
            values.Add(value);
        }

        for (int i = leaves; i < size; i++)
        {
            (string Op, int[] Inputs, double Value) gate = ("tanh", [], 0);
            bool accepted = false;
            for (int attempt = 0; attempt < (wild ? 1 : 4) && !accepted; attempt++)
            {
                FuzzOp op = gates[rng.Next(gates.Length)];
                int[] inputs = new int[rng.Next(op.MinArity, op.MaxArity + 1)];
                for (int k = 0; k < inputs.Length; k++)
                    inputs[k] = rng.NextDouble() < 0.5 ? i - 1 - rng.Next(Math.Min(i, 3)) : rng.Next(i);
                double[] x = inputs.Select(p => values[p]).ToArray();
                double value = FuzzReference.Apply(op.Name, x);
                gate = (op.Name, inputs, value);
                accepted = wild || (Math.Abs(value) <= 10 && FuzzReference.Margin(op.Name, x, inputs) >= 2 * SmoothMargin);
            }
            if (!accepted)
            {
                int input = rng.Next(i);
                gate = ("tanh", [input], Math.Tanh(values[input]));
            }
            string? label = rng.NextDouble() < 0.1 ? ExoticIds[rng.Next(ExoticIds.Length)] + " label" : null;
            built.Add((gate.Op, null, gate.Inputs, label));
            values.Add(gate.Value);
        }

        // The body lists the nodes shuffled: position[i] is where built[i] goes.
        int[] position = Enumerable.Range(0, size).ToArray();
        rng.Shuffle(position);
        string IdOf(int builtIndex) => exoticIds ? $"{ExoticIds[builtIndex % ExoticIds.Length]}{builtIndex}" : $"n{builtIndex}";
        var nodes = new FuzzNode[size];
        for (int i = 0; i < size; i++)
        {
            var (op, value, inputs, label) = built[i];
            nodes[position[i]] = new FuzzNode(IdOf(i), op, value, inputs?.Select(p => position[p]).ToArray(), label);
        }

        var sinks = Enumerable.Range(0, size).Where(i => !nodes.Any(n => n.Inputs?.Contains(i) == true)).ToArray();
        // The output: a random node, or left out where there is one sink, or the last node built.
        double pick = rng.NextDouble();
        bool leftOut = pick >= 0.4 && pick < 0.8 && sinks.Length == 1;
        int output = pick < 0.4 ? rng.Next(size) : leftOut ? sinks[0] : position[size - 1];
        double? seed = rng.NextDouble() < 0.5 ? null
            : wild && rng.NextDouble() < 0.3 ? ExtremeValues[rng.Next(ExtremeValues.Length)]
            : Math.Round(rng.NextDouble() * 4 - 2, 3);
        return new FuzzGraph
        {
            Nodes = nodes,
            Order = position,
            OutputIndex = output,
            Output = leftOut ? null : nodes[output].Id,
            Seed = seed,
        };
    }

    /// <summary>
    /// Every node's value, and the smallest <see cref="FuzzReference.Margin"/> among the gates;
    /// optionally with one node's value nudged by <paramref name="delta"/> (its inputs unchanged,
    /// its readers recomputed), which is what a central difference of d output / d node needs.
    /// </summary>
    public (double[] Values, double Margin) Evaluate(int nudged = -1, double delta = 0)
    {
        var values = new double[Nodes.Length];
        double margin = double.PositiveInfinity;
        Span<double> buffer = stackalloc double[8];
        foreach (int i in Order)
        {
            FuzzNode node = Nodes[i];
            if (node.Inputs is { } inputs)
            {
                Span<double> x = buffer[..inputs.Length];
                for (int k = 0; k < inputs.Length; k++) x[k] = values[inputs[k]];
                values[i] = FuzzReference.Apply(node.Op, x);
                margin = Math.Min(margin, FuzzReference.Margin(node.Op, x, inputs));
            }
            else
            {
                values[i] = node.Value!.Value;
            }
            if (i == nudged) values[i] += delta;
        }
        return (values, margin);
    }

    /// <summary>The nodes the output is computed from, itself included.</summary>
    public bool[] ReachingOutput()
    {
        var reaches = new bool[Nodes.Length];
        reaches[OutputIndex] = true;
        for (int k = Order.Length - 1; k >= 0; k--)
        {
            int i = Order[k];
            if (reaches[i] && Nodes[i].Inputs is { } inputs)
                foreach (int input in inputs) reaches[input] = true;
        }
        return reaches;
    }

    /// <summary>The body, its properties in a random order.</summary>
    public JsonObject ToJson(Random rng)
    {
        var nodes = new JsonArray();
        foreach (FuzzNode node in Nodes)
        {
            var properties = new List<KeyValuePair<string, JsonNode?>>
            {
                new("id", node.Id),
                new("op", node.Op),
            };
            if (node.Value is { } value) properties.Add(new("value", value));
            if (node.Inputs is { } inputs) properties.Add(new("inputs", new JsonArray(inputs.Select(p => (JsonNode?)Nodes[p].Id).ToArray())));
            if (node.Label is { } label) properties.Add(new("label", label));
            var shuffled = properties.ToArray();
            rng.Shuffle(shuffled);
            nodes.Add(new JsonObject(shuffled));
        }
        var body = new JsonObject { ["nodes"] = nodes };
        if (Output is not null) body["output"] = Output;
        if (Seed is { } seed) body["seed"] = seed;
        return body;
    }
}
