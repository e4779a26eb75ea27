namespace GradApi.Rendering.Layout;

/// <summary>A point of the picture; y grows downwards, as in SVG.</summary>
public readonly record struct Point(double X, double Y);

/// <summary>A node's box: top-left corner and size.</summary>
public readonly record struct Box(double X, double Y, double Width, double Height)
{
    public double Right => X + Width;

    public double Bottom => Y + Height;

    public bool Overlaps(Box other) =>
        X < other.Right && other.X < Right && Y < other.Bottom && other.Y < Bottom;
}

/// <summary>
/// Where <see cref="LayeredLayout"/> put everything: each node's layer, rank within the layer and
/// box, and each edge's route from its source's right side to its target's left side.
/// </summary>
public sealed class GraphLayout(int[] layers, int[] ranks, Box[] boxes, Point[][] routes, int layerCount, double width, double height)
{
    /// <summary>Each node's layer: 0 for the sources, else one more than its deepest input's.</summary>
    public int[] Layers { get; } = layers;

    /// <summary>Each node's place within its layer, from the top, counting edges that pass through.</summary>
    public int[] Ranks { get; } = ranks;

    public Box[] Boxes { get; } = boxes;

    /// <summary>
    /// Each edge's route: its start port, then, for every layer it passes through, the points where
    /// it enters and leaves that layer's column, then its end port. Consecutive points are joined by
    /// a curve that leaves and arrives horizontally.
    /// </summary>
    public Point[][] Routes { get; } = routes;

    public int LayerCount { get; } = layerCount;

    public double Width { get; } = width;

    public double Height { get; } = height;
}
