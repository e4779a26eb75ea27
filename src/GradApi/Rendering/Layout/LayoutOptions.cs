namespace GradApi.Rendering.Layout;

/// <summary>Spacing and effort of <see cref="LayeredLayout"/>.</summary>
public sealed record LayoutOptions
{
    /// <summary>Empty space around the picture.</summary>
    public double Margin { get; init; } = 16;

    /// <summary>Horizontal space between two layers' columns, where edges run and their labels sit.</summary>
    public double LayerGap { get; init; } = 72;

    /// <summary>Vertical space between two nodes of one layer.</summary>
    public double NodeGap { get; init; } = 20;

    /// <summary>Vertical space an edge passing through a layer takes, and between such edges.</summary>
    public double EdgeSpacing { get; init; } = 10;

    /// <summary>Rounds of barycentre sweeps (one down, one up) for crossings, and of straightening for positions.</summary>
    public int Sweeps { get; init; } = 4;

    /// <summary>
    /// The most bend points that edges spanning several layers may get in all. Past it, such edges
    /// run straight from port to port, which keeps a pathological graph's layout small.
    /// </summary>
    public int MaxVirtualPoints { get; init; } = 20_000;
}
