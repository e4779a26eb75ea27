using System.Text;

namespace GradApi.Rendering;

/// <summary>
/// Writes a <see cref="Picture"/> as a Mermaid flowchart, left to right, to paste into Markdown:
/// each node's heading, op, value and grad; each edge labelled with the gradient flowing back
/// along it. Node ids are n0, n1, ... (in the request's order); user text appears only inside
/// quoted labels, escaped with HTML's named entities.
/// </summary>
internal static class MermaidWriter
{
    public static string Write(Picture picture)
    {
        var mermaid = new StringBuilder(64 + picture.Nodes.Length * 100 + picture.Edges.Length * 30);
        mermaid.Append("flowchart LR\n");
        for (int v = 0; v < picture.Nodes.Length; v++)
        {
            PictureNode node = picture.Nodes[v];
            mermaid.Append("  n").Append(v).Append("[\"")
                .Append(Escape.Mermaid(Display.Clip(node.Title))).Append("<br/>")
                .Append(Escape.Mermaid(Display.Clip(node.Caption))).Append("<br/>")
                .Append("value ").Append(Display.Number(node.Value)).Append("<br/>")
                .Append("grad ").Append(Display.Number(node.Grad)).Append("\"]\n");
        }
        foreach (PictureEdge edge in picture.Edges)
            mermaid.Append("  n").Append(edge.From).Append(" -->|\"").Append(Display.Number(edge.Product))
                .Append("\"| n").Append(edge.To).Append('\n');
        if (picture.Edges.Length > 0) mermaid.Append("  linkStyle default stroke:#8c959f,color:#c62828\n");
        for (int v = 0; v < picture.Nodes.Length; v++)
            if (picture.Nodes[v].IsOutput) mermaid.Append("  style n").Append(v).Append(" stroke-width:2px\n");
        return mermaid.ToString();
    }
}
