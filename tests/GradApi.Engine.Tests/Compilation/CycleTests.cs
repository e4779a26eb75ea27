using GradApi.Engine.Graphs;
using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Compilation;

/// <summary>
/// A cycle is reported once, with the ids on it in the order the edges run (a feeds b feeds c
/// feeds a is [a, b, c], started anywhere on the loop), and nothing that merely hangs off it.
/// </summary>
public sealed class CycleTests
{
    [Fact]
    public void Compile_ThreeNodeCycle_ListsItsIdsInEdgeOrder()
    {
        // a feeds b, b feeds c, c feeds a.
        var builder = Graph.New()
            .Input("x", 1)
            .Gate("a", "add", "x", "c")
            .Gate("b", "sin", "a")
            .Gate("c", "cos", "b")
            .Gate("f", "neg", "b");

        GraphError error = Assert.Single(builder.Errors());
        AssertCycle(builder.Spec, error, ["a", "b", "c"]);
    }

    [Fact]
    public void Compile_CycleListedAgainstEdgeOrder_StillListsIdsInEdgeOrder()
    {
        // p feeds r, r feeds q, q feeds p: the array order (p, q, r) is not the edge order.
        var builder = Graph.New()
            .Gate("p", "neg", "q")
            .Gate("q", "sin", "r")
            .Gate("r", "mul", "p", "x")
            .Input("x", 2)
            .Gate("f", "add", "r", "x");

        GraphError error = Assert.Single(builder.Errors());
        AssertCycle(builder.Spec, error, ["p", "r", "q"]);
    }

    [Fact]
    public void Compile_SelfLoop_IsACycleOfOne()
    {
        var builder = Graph.New().Input("x", 1).Gate("a", "add", "x", "a").Gate("f", "sin", "a");

        GraphError error = Assert.Single(builder.Errors());
        AssertCycle(builder.Spec, error, ["a"]);
        Assert.Equal("nodes[1]", error.Path);
    }

    [Fact]
    public void Compile_CycleWithTails_ListsOnlyTheNodesOnTheLoop()
    {
        // t and u hang off the loop downstream (and come first in the array, so a search for the
        // cycle starts from them); x and s feed it from upstream.
        var builder = Graph.New()
            .Gate("u", "cos", "t")
            .Gate("t", "sin", "c")
            .Input("x", 1)
            .Gate("s", "neg", "x")
            .Gate("a", "add", "s", "c")
            .Gate("b", "tanh", "a")
            .Gate("c", "mul", "x", "b");

        GraphError error = Assert.Single(builder.Errors());
        AssertCycle(builder.Spec, error, ["a", "b", "c"]);
    }

    [Fact]
    public void Compile_TwoNodeCycleThroughARepeatedInput_ListsBothIds()
    {
        var builder = Graph.New().Gate("a", "mul", "b", "b").Gate("b", "add", "a", "x").Input("x", 1).Gate("f", "neg", "b");

        GraphError error = Assert.Single(builder.Errors());
        AssertCycle(builder.Spec, error, ["a", "b"]);
    }

    [Fact]
    public void Compile_EveryNodeOnACycle_ReportsTheCycleNotAMissingOutput()
    {
        var builder = Graph.New().Gate("a", "neg", "b").Gate("b", "neg", "a");

        GraphError error = Assert.Single(builder.Errors());
        AssertCycle(builder.Spec, error, ["a", "b"]);
    }

    /// <summary>The cycle is a rotation of <paramref name="loop"/>; the path and id name its first node.</summary>
    private static void AssertCycle(GraphSpec spec, GraphError error, string[] loop)
    {
        Assert.Equal(GraphErrorKind.Cycle, error.Kind);
        Assert.NotNull(error.Cycle);
        IReadOnlyList<string> cycle = error.Cycle;
        Assert.Equal(loop.Length, cycle.Count);
        int shift = Array.IndexOf(loop, cycle[0]);
        Assert.True(shift >= 0, $"The cycle [{string.Join(", ", cycle)}] starts at a node not on [{string.Join(", ", loop)}].");
        for (int i = 0; i < loop.Length; i++) Assert.Equal(loop[(shift + i) % loop.Length], cycle[i]);

        int first = Enumerable.Range(0, spec.NodeCount).Single(i => spec.Id(i) == cycle[0]);
        Assert.Equal($"nodes[{first}]", error.Path);
        Assert.Equal(cycle[0], error.NodeId);
        foreach (string id in loop) Assert.Contains(id, error.Message, StringComparison.Ordinal);
    }
}
