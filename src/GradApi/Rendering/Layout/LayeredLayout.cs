namespace GradApi.Rendering.Layout;

/// <summary>
/// A layered (Sugiyama-style) layout for a DAG, flowing left to right: layers by longest path from
/// the sources (<see cref="Layering"/>), a virtual point wherever an edge passes a layer, crossings
/// reduced by barycentre sweeps (<see cref="Ordering"/>), then coordinates and edge routes
/// (<see cref="Placement"/>). Nothing recurses, and the same graph always gets the same layout.
/// </summary>
public static class LayeredLayout
{
    public static GraphLayout Compute(LayoutGraph graph, LayoutOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        options ??= new LayoutOptions();
        int[] layers = Layering.LongestPath(graph);
        var grid = LayerGrid.Build(graph, layers, options.MaxVirtualPoints);
        Ordering.ReduceCrossings(grid, options.Sweeps);
        return Placement.Place(graph, grid, options);
    }

    /// <summary>The crossings between consecutive layers of the layout <see cref="Compute"/> would make (for tests and tuning).</summary>
    internal static long CountCrossings(LayoutGraph graph, LayoutOptions? options = null, bool reduce = true)
    {
        options ??= new LayoutOptions();
        var grid = LayerGrid.Build(graph, Layering.LongestPath(graph), options.MaxVirtualPoints);
        if (reduce) Ordering.ReduceCrossings(grid, options.Sweeps);
        return Ordering.Crossings(grid);
    }
}
