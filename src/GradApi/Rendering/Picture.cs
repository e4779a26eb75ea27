using GradApi.Engine.Compilation;
using GradApi.Engine.Insight;
using GradApi.Engine.Ops;

namespace GradApi.Rendering;

/// <summary>A node as the picture shows it: who it is, what it computes, its value and its grad.</summary>
internal readonly record struct PictureNode(string Id, string? Label, string Op, double Value, double Grad, bool IsOutput)
{
    /// <summary>The node's heading: its subexpression for an expression's node, else its id.</summary>
    public string Title => Label ?? Id;

    /// <summary>The op, and the id when the heading is a label that is not the id.</summary>
    public string Caption => Label is null || Label == Id ? Op : $"{Id}: {Op}";

    public bool IsLeaf => Op is "input" or "const";
}

/// <summary>
/// An edge from an input to the gate that reads it (in the forward direction), carrying the
/// backward step along it: the gradient <see cref="Product"/> = <see cref="Upstream"/> × <see cref="Local"/>
/// that flows back to the input. <see cref="Slot"/> is which of the gate's inputs it is.
/// </summary>
internal readonly record struct PictureEdge(int From, int To, int Slot, double Local, double Upstream, double Product);

/// <summary>A training evaluation and its backward steps, as the picture writers read them.</summary>
internal sealed class Picture(PictureNode[] nodes, PictureEdge[] edges, string output)
{
    /// <summary>In the request's order.</summary>
    public PictureNode[] Nodes { get; } = nodes;

    /// <summary>By gate in the request's order, then by slot.</summary>
    public PictureEdge[] Edges { get; } = edges;

    public string Output { get; } = output;

    /// <summary>The picture of a succeeded trace (call only when its evaluation has no error).</summary>
    public static Picture From(ExplainTrace trace)
    {
        var evaluation = trace.Evaluation;
        Tape tape = evaluation.Tape;
        var spec = tape.Spec;
        var nodes = new PictureNode[spec.NodeCount];
        for (int i = 0; i < nodes.Length; i++)
        {
            string op = OpTable.Get(tape.OpAt(tape.PositionOf(i))).Name;
            nodes[i] = new PictureNode(spec.Id(i), spec.Label(i), op, evaluation.ValueOf(i), evaluation.GradOf(i),
                tape.PositionOf(i) == tape.Output);
        }
        PictureEdge[] edges = trace.Steps
            .Select(s => new PictureEdge(s.InputIndex, s.NodeIndex, s.Slot, s.Local, s.Upstream, s.Product))
            .OrderBy(e => e.To)
            .ThenBy(e => e.Slot)
            .ToArray();
        return new Picture(nodes, edges, tape.IdAt(tape.Output));
    }
}
