namespace GradApi.Rendering.Layout;

/// <summary>
/// What the layout needs of a graph: each node's box size, and the edges as (from, to) pairs of
/// node indexes. The graph must be acyclic; an edge may repeat (a gate reading one input twice).
/// </summary>
public sealed class LayoutGraph
{
    public LayoutGraph(double[] widths, double[] heights, int[] edgeFrom, int[] edgeTo)
    {
        ArgumentNullException.ThrowIfNull(widths);
        ArgumentNullException.ThrowIfNull(heights);
        ArgumentNullException.ThrowIfNull(edgeFrom);
        ArgumentNullException.ThrowIfNull(edgeTo);
        if (widths.Length != heights.Length) throw new ArgumentException("One width and one height per node.", nameof(heights));
        if (edgeFrom.Length != edgeTo.Length) throw new ArgumentException("One 'from' and one 'to' per edge.", nameof(edgeTo));
        for (int e = 0; e < edgeFrom.Length; e++)
        {
            if ((uint)edgeFrom[e] >= (uint)widths.Length || (uint)edgeTo[e] >= (uint)widths.Length)
                throw new ArgumentOutOfRangeException(nameof(edgeFrom), $"Edge {e} names a node that does not exist.");
            if (edgeFrom[e] == edgeTo[e]) throw new ArgumentException($"Edge {e} is a loop.", nameof(edgeTo));
        }
        Widths = widths;
        Heights = heights;
        EdgeFrom = edgeFrom;
        EdgeTo = edgeTo;
    }

    public int NodeCount => Widths.Length;

    public int EdgeCount => EdgeFrom.Length;

    public double[] Widths { get; }

    public double[] Heights { get; }

    public int[] EdgeFrom { get; }

    public int[] EdgeTo { get; }
}
