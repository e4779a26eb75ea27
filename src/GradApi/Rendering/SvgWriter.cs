using System.Text;
using GradApi.Rendering.Layout;

namespace GradApi.Rendering;

/// <summary>
/// Draws a <see cref="Picture"/> as SVG in the CS231n style, laid out by <see cref="LayeredLayout"/>:
/// inputs on the left, the output on the right; each node a box with its heading, op, value (green)
/// and grad (red); each edge a curve from input to gate labelled with the gradient flowing back
/// along it (red). Self-contained (its own styles, no scripts, no external references) and the
/// same bytes for the same graph.
/// </summary>
internal static class SvgWriter
{
    private const double CharWidth = 7.25;      // a 12px monospace character
    private const double LabelCharWidth = 6.65; // an 11px one
    private const double LineHeight = 15;
    private const double PadX = 8;
    private const double PadY = 6;
    private const double PortSpacing = 18;
    private const double MinNodeWidth = 56;
    private const string Green = "#1a7f37";
    private const string Red = "#c62828";

    private const string Style =
        ".ga-bg{fill:#fff}"
        + ".ga-picture text{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px}"
        + ".ga-node rect{fill:#fff;stroke:#57606a;stroke-width:1}"
        + ".ga-leaf rect{fill:#f6f8fa}"
        + ".ga-output rect{stroke:#24292f;stroke-width:2}"
        + ".ga-title{font-weight:bold;fill:#24292f}"
        + ".ga-op{fill:#57606a}"
        + ".ga-value{fill:" + Green + "}"
        + ".ga-grad{fill:" + Red + "}"
        + ".ga-edge{fill:none;stroke:#8c959f;stroke-width:1.25}"
        + ".ga-edge-label{font-size:11px;fill:" + Red + ";paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}";

    public static string Write(Picture picture)
    {
        GraphLayout layout = Lay(picture);
        var svg = new StringBuilder(1024 + picture.Nodes.Length * 600 + picture.Edges.Length * 300);
        string w = Display.Coordinate(layout.Width), h = Display.Coordinate(layout.Height);
        svg.Append($"""<svg xmlns="http://www.w3.org/2000/svg" class="ga-picture" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-labelledby="ga-title ga-desc">""").Append('\n');
        svg.Append($"""<title id="ga-title">The graph of {Escape.Xml(picture.Output)}, evaluated and differentiated</title>""").Append('\n');
        svg.Append($"""<desc id="ga-desc">{picture.Nodes.Length} nodes and {picture.Edges.Length} edges, inputs on the left. Each node shows its value in green and its grad in red; each edge shows, in red, the gradient flowing back along it.</desc>""").Append('\n');
        svg.Append("<style>").Append(Style).Append("</style>\n");
        svg.Append("""<defs><marker id="ga-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L8,4L0,8z" fill="#8c959f"/></marker></defs>""").Append('\n');
        svg.Append("""<rect class="ga-bg" width="100%" height="100%"/>""").Append('\n');

        svg.Append("<g class=\"ga-edges\">\n");
        for (int e = 0; e < picture.Edges.Length; e++) WriteEdge(svg, picture, picture.Edges[e], layout.Routes[e]);
        svg.Append("</g>\n<g class=\"ga-nodes\">\n");
        for (int v = 0; v < picture.Nodes.Length; v++) WriteNode(svg, picture.Nodes[v], layout.Boxes[v]);
        svg.Append("</g>\n<g class=\"ga-edge-labels\">\n");
        for (int e = 0; e < picture.Edges.Length; e++)
        {
            Point end = layout.Routes[e][^1];
            svg.Append($"""<text class="ga-edge-label" x="{Display.Coordinate(end.X - 9)}" y="{Display.Coordinate(end.Y + 13)}" text-anchor="end">{Display.Number(picture.Edges[e].Product)}</text>""").Append('\n');
        }
        svg.Append("</g>\n</svg>\n");
        return svg.ToString();
    }

    /// <summary>Sizes every box from its text and its ports, and lays the graph out.</summary>
    internal static GraphLayout Lay(Picture picture)
    {
        int n = picture.Nodes.Length;
        var inCount = new int[n];
        var outCount = new int[n];
        var from = new int[picture.Edges.Length];
        var to = new int[picture.Edges.Length];
        int longestLabel = 1;
        for (int e = 0; e < picture.Edges.Length; e++)
        {
            from[e] = picture.Edges[e].From;
            to[e] = picture.Edges[e].To;
            outCount[from[e]]++;
            inCount[to[e]]++;
            longestLabel = Math.Max(longestLabel, Display.Number(picture.Edges[e].Product).Length);
        }

        var widths = new double[n];
        var heights = new double[n];
        for (int v = 0; v < n; v++)
        {
            int columns = Lines(picture.Nodes[v]).Max(line => Display.Columns(line.Text));
            widths[v] = Math.Max(MinNodeWidth, Math.Ceiling(columns * CharWidth + 2 * PadX));
            heights[v] = Math.Max(4 * LineHeight + 2 * PadY, (Math.Max(inCount[v], outCount[v]) + 1) * PortSpacing);
        }
        var options = new LayoutOptions { LayerGap = Math.Max(56, Math.Ceiling(longestLabel * LabelCharWidth + 32)) };
        return LayeredLayout.Compute(new LayoutGraph(widths, heights, from, to), options);
    }

    private static (string Class, string Text)[] Lines(PictureNode node) =>
    [
        ("ga-title", Display.Clip(node.Title)),
        ("ga-op", Display.Clip(node.Caption)),
        ("ga-value", "value " + Display.Number(node.Value)),
        ("ga-grad", "grad " + Display.Number(node.Grad)),
    ];

    private static void WriteNode(StringBuilder svg, PictureNode node, Box box)
    {
        string kind = node.IsOutput ? " ga-output" : node.IsLeaf ? " ga-leaf" : "";
        svg.Append($"""<g class="ga-node{kind}" data-id="{Escape.Xml(node.Id)}">""");
        svg.Append("<title>").Append(Escape.Xml(Tooltip(node))).Append("</title>");
        svg.Append($"""<rect x="{Display.Coordinate(box.X)}" y="{Display.Coordinate(box.Y)}" width="{Display.Coordinate(box.Width)}" height="{Display.Coordinate(box.Height)}" rx="6"/>""");
        var lines = Lines(node);
        double top = box.Y + (box.Height - lines.Length * LineHeight) / 2;
        string x = Display.Coordinate(box.X + box.Width / 2);
        for (int i = 0; i < lines.Length; i++)
        {
            string y = Display.Coordinate(top + (i + 1) * LineHeight - 4);
            svg.Append($"""<text class="{lines[i].Class}" x="{x}" y="{y}" text-anchor="middle">{Escape.Xml(lines[i].Text)}</text>""");
        }
        svg.Append("</g>\n");
    }

    private static string Tooltip(PictureNode node) =>
        $"{node.Id}{(node.Label is { } label && label != node.Id ? $" = {label}" : "")}\nop {node.Op}\nvalue {Display.Full(node.Value)}\ngrad {Display.Full(node.Grad)}";

    private static void WriteEdge(StringBuilder svg, Picture picture, PictureEdge edge, Point[] route)
    {
        string from = picture.Nodes[edge.From].Id, to = picture.Nodes[edge.To].Id;
        svg.Append("<path class=\"ga-edge\" d=\"").Append(Path(route)).Append("\" marker-end=\"url(#ga-arrow)\">");
        svg.Append("<title>").Append(Escape.Xml(
            $"{from} \u2192 {to}: gradient {Display.Full(edge.Product)} = local {Display.Full(edge.Local)} \u00d7 upstream {Display.Full(edge.Upstream)}"));
        svg.Append("</title></path>\n");
    }

    /// <summary>Straight where level, else a curve that leaves and arrives horizontally.</summary>
    private static string Path(Point[] route)
    {
        var d = new StringBuilder();
        d.Append('M').Append(Display.Coordinate(route[0].X)).Append(',').Append(Display.Coordinate(route[0].Y));
        for (int i = 1; i < route.Length; i++)
        {
            Point a = route[i - 1], b = route[i];
            if (Display.Coordinate(a.Y) == Display.Coordinate(b.Y))
            {
                d.Append('L').Append(Display.Coordinate(b.X)).Append(',').Append(Display.Coordinate(b.Y));
                continue;
            }
            string mid = Display.Coordinate((a.X + b.X) / 2);
            d.Append('C').Append(mid).Append(',').Append(Display.Coordinate(a.Y))
                .Append(' ').Append(mid).Append(',').Append(Display.Coordinate(b.Y))
                .Append(' ').Append(Display.Coordinate(b.X)).Append(',').Append(Display.Coordinate(b.Y));
        }
        return d.ToString();
    }
}
