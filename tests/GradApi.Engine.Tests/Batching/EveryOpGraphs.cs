using GradApi.Engine.Graphs;
using GradApi.Engine.Ops;

namespace GradApi.Engine.Tests.Batching;

/// <summary>
/// Random DAGs over every gate of the op table, finite at any input values in [-2, 2]: a value
/// either has |v| &lt;= 2 (any gate may read it) or lies in [0.1, 10] (log, sqrt, inv, a pow's base and
/// a divisor read only those). Sums, products, quotients and powers are squashed through tanh
/// before anything else reads them, so nothing grows along the graph. <see cref="Support.RandomGraphs"/>
/// keeps to ops that are defined everywhere; this one covers the rest.
/// </summary>
internal static class EveryOpGraphs
{
    public static GraphSpec Generate(int gates, int seed)
    {
        var rng = new Random(seed);
        var spec = new GraphSpec();
        var any = new List<string>();      // |v| <= 2
        var positive = new List<string>(); // v in [0.1, 10]
        int next = 0;
        string Add(string op, double? value, params string[] inputs)
        {
            string id = $"{op}{next++}";
            spec.AddNode(id, op, value, value is null ? inputs : null);
            return id;
        }
        string Recent(List<string> pool) => pool[rng.NextDouble() < 0.6 ? pool.Count - 1 - rng.Next(Math.Min(pool.Count, 4)) : rng.Next(pool.Count)];
        string Squash(string id) => Add("tanh", null, id);

        int leaves = 3 + rng.Next(4);
        for (int i = 0; i < leaves; i++) any.Add(Add(i == 0 || rng.NextDouble() < 0.75 ? "input" : "const", Math.Round(rng.NextDouble() * 4 - 2, 3)));
        positive.Add(Add("exp", null, Squash(Recent(any))));

        var covered = new HashSet<string>();
        for (int g = 0; g < gates; g++)
        {
            // Every gate at least once, then at random.
            string op = OpTable.All.Where(o => !o.IsLeaf).Select(o => o.Name).FirstOrDefault(name => !covered.Contains(name))
                ?? OpTable.All[2 + rng.Next(OpTable.All.Count - 2)].Name;
            covered.Add(op);
            switch (op)
            {
                case "exp":
                    positive.Add(Add("exp", null, Squash(Recent(any))));
                    break;
                case "log":
                    any.Add(Squash(Add("log", null, Recent(positive))));
                    break;
                case "sqrt":
                case "inv":
                    positive.Add(Add(op, null, Recent(positive)));
                    break;
                case "div":
                    any.Add(Squash(Add("div", null, Recent(any), Recent(positive))));
                    break;
                case "pow":
                    // A positive base to any power, or any base to a const integer power (a <= 0 included).
                    any.Add(Squash(rng.NextDouble() < 0.5
                        ? Add("pow", null, Recent(positive), Recent(any))
                        : Add("pow", null, Recent(any), Add("const", rng.Next(2, 4)))));
                    break;
                default:
                    int arity = op is "add" or "mul" or "max" or "min" ? 2 + (rng.NextDouble() < 0.3 ? 1 + rng.Next(2) : 0)
                        : op == "sub" ? 2 : 1;
                    string[] inputs = Enumerable.Range(0, arity).Select(_ => Recent(any)).ToArray();
                    string id = Add(op, null, inputs);
                    any.Add(op is "add" or "sub" or "mul" ? Squash(id) : id);
                    if (op == "sigmoid") positive.Add(Add("add", null, id, Add("const", 0.1)));
                    break;
            }
        }

        // One output that reads the ends of both pools.
        spec.Output = Add("add", null, any[^1], positive[^1], Recent(any));
        return spec;
    }

    /// <summary>The request indexes of the graph's input leaves.</summary>
    public static int[] Inputs(GraphSpec spec) =>
        Enumerable.Range(0, spec.NodeCount).Where(i => spec.Op(i) == "input").ToArray();
}
