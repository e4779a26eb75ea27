using GradApi.Rendering.Layout;

namespace GradApi.Tests.Rendering;

/// <summary>Graphs to lay out: random DAGs of random box sizes, chains, and small hand-made cases.</summary>
internal static class LayoutGraphs
{
    /// <summary>
    /// A random DAG: nodes get a random hidden order, and each non-source node reads 1 to 3 nodes
    /// earlier in that order (often the one just before, so there are long paths and long edges).
    /// Node indexes are shuffled against the hidden order, and an edge may repeat.
    /// </summary>
    public static LayoutGraph Random(int size, int seed)
    {
        var rng = new Random(seed);
        int[] order = Enumerable.Range(0, size).OrderBy(_ => rng.Next()).ToArray();
        var widths = new double[size];
        var heights = new double[size];
        for (int v = 0; v < size; v++)
        {
            widths[v] = 40 + rng.Next(160);
            heights[v] = 40 + rng.Next(80);
        }
        int sources = Math.Max(1, size / 6);
        var from = new List<int>();
        var to = new List<int>();
        for (int i = sources; i < size; i++)
        {
            int inputs = 1 + rng.Next(3);
            for (int k = 0; k < inputs; k++)
            {
                int j = rng.NextDouble() < 0.5 ? i - 1 : rng.Next(i);
                from.Add(order[j]);
                to.Add(order[i]);
            }
        }
        return new LayoutGraph(widths, heights, from.ToArray(), to.ToArray());
    }

    /// <summary>x -> n1 -> n2 -> ... -> n{length}, every box the same size.</summary>
    public static LayoutGraph Chain(int length)
    {
        int n = length + 1;
        var widths = Enumerable.Repeat(60.0, n).ToArray();
        var heights = Enumerable.Repeat(40.0, n).ToArray();
        return new LayoutGraph(widths, heights, Enumerable.Range(0, length).ToArray(), Enumerable.Range(1, length).ToArray());
    }

    public static LayoutGraph Of(int nodes, params (int From, int To)[] edges) =>
        new(Enumerable.Repeat(60.0, nodes).ToArray(), Enumerable.Repeat(40.0, nodes).ToArray(),
            edges.Select(e => e.From).ToArray(), edges.Select(e => e.To).ToArray());
}
