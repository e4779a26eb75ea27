using System.Text;

namespace GradApi.Rendering;

/// <summary>
/// Writes a <see cref="Picture"/> as Graphviz DOT, for <c>dot -Tsvg</c> or any DOT viewer: the same
/// boxes and red gradient labels as the SVG, left to right. Node ids in the DOT are n0, n1, ... (in
/// the request's order); user text appears only inside HTML-like labels, XML-escaped, so no id can
/// break out of its quotes.
/// </summary>
internal static class DotWriter
{
    public static string Write(Picture picture)
    {
        var dot = new StringBuilder(256 + picture.Nodes.Length * 200 + picture.Edges.Length * 40);
        dot.Append("digraph \"GradApi\" {\n");
        dot.Append("  graph [rankdir=LR, bgcolor=\"white\", nodesep=0.25, ranksep=0.6];\n");
        dot.Append("  node [shape=box, style=\"rounded\", color=\"#57606a\", fontname=\"monospace\", fontsize=11];\n");
        dot.Append("  edge [color=\"#8c959f\", fontcolor=\"#c62828\", fontname=\"monospace\", fontsize=10];\n");
        for (int v = 0; v < picture.Nodes.Length; v++)
        {
            PictureNode node = picture.Nodes[v];
            dot.Append("  n").Append(v).Append(" [label=<<B>").Append(Escape.Xml(Display.Clip(node.Title))).Append("</B>")
                .Append("<BR/>").Append(Escape.Xml(Display.Clip(node.Caption)))
                .Append("<BR/><FONT COLOR=\"#1a7f37\">value ").Append(Display.Number(node.Value)).Append("</FONT>")
                .Append("<BR/><FONT COLOR=\"#c62828\">grad ").Append(Display.Number(node.Grad)).Append("</FONT>>");
            if (node.IsOutput) dot.Append(", penwidth=2");
            else if (node.IsLeaf) dot.Append(", style=\"rounded,filled\", fillcolor=\"#f6f8fa\"");
            dot.Append("];\n");
        }
        foreach (PictureEdge edge in picture.Edges)
            dot.Append("  n").Append(edge.From).Append(" -> n").Append(edge.To)
                .Append(" [label=\"").Append(Display.Number(edge.Product)).Append("\"];\n");
        dot.Append("}\n");
        return dot.ToString();
    }
}
