namespace GradApi.Rendering.Layout;

/// <summary>Layers by longest path from the sources, with Kahn's algorithm: no recursion, so any depth is fine.</summary>
internal static class Layering
{
    /// <summary>Each node's layer: 0 for a node with no incoming edge, else one more than the deepest of its inputs.</summary>
    /// <exception cref="ArgumentException">The graph has a cycle.</exception>
    public static int[] LongestPath(LayoutGraph graph)
    {
        int n = graph.NodeCount;
        var (start, targets) = Adjacency.Outgoing(graph);
        var indegree = new int[n];
        foreach (int to in graph.EdgeTo) indegree[to]++;

        var layer = new int[n];
        var queue = new Queue<int>();
        for (int v = 0; v < n; v++)
            if (indegree[v] == 0) queue.Enqueue(v);

        int visited = 0;
        while (queue.TryDequeue(out int v))
        {
            visited++;
            for (int k = start[v]; k < start[v + 1]; k++)
            {
                int w = targets[k];
                layer[w] = Math.Max(layer[w], layer[v] + 1);
                if (--indegree[w] == 0) queue.Enqueue(w);
            }
        }
        if (visited != n) throw new ArgumentException("The graph has a cycle: it cannot be layered.", nameof(graph));
        return layer;
    }
}

/// <summary>Compressed adjacency lists: the neighbours of v are <c>targets[start[v]..start[v+1]]</c>.</summary>
internal static class Adjacency
{
    public static (int[] Start, int[] Targets) Outgoing(LayoutGraph graph) => Build(graph.NodeCount, graph.EdgeFrom, graph.EdgeTo);

    public static (int[] Start, int[] Targets) Build(int count, IReadOnlyList<int> from, IReadOnlyList<int> to)
    {
        var start = new int[count + 1];
        for (int e = 0; e < from.Count; e++) start[from[e] + 1]++;
        for (int v = 0; v < count; v++) start[v + 1] += start[v];
        var fill = (int[])start.Clone();
        var targets = new int[from.Count];
        for (int e = 0; e < from.Count; e++) targets[fill[from[e]]++] = to[e];
        return (start, targets);
    }
}
