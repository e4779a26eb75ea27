using GradApi.Rendering.Layout;

namespace GradApi.Tests.Rendering;

public sealed class LayoutTests
{
    public static TheoryData<int, int> RandomGraphs => new()
    {
        { 2, 1 }, { 5, 2 }, { 12, 3 }, { 40, 4 }, { 100, 5 }, { 250, 6 }, { 500, 7 }, { 500, 8 },
    };

    [Theory]
    [MemberData(nameof(RandomGraphs))]
    public void RandomGraph_NoTwoNodesOverlap(int size, int seed)
    {
        var graph = LayoutGraphs.Random(size, seed);

        var layout = LayeredLayout.Compute(graph);

        var boxes = layout.Boxes;
        for (int a = 0; a < boxes.Length; a++)
        {
            if (boxes[a].X < 0 || boxes[a].Y < 0 || boxes[a].Right > layout.Width || boxes[a].Bottom > layout.Height)
                Assert.Fail($"node {a} lies outside the picture");
            Assert.Equal(graph.Widths[a], boxes[a].Width);
            Assert.Equal(graph.Heights[a], boxes[a].Height);
            for (int b = a + 1; b < boxes.Length; b++)
                if (boxes[a].Overlaps(boxes[b])) Assert.Fail($"nodes {a} and {b} overlap: {boxes[a]} and {boxes[b]}");
        }
    }

    [Theory]
    [MemberData(nameof(RandomGraphs))]
    public void RandomGraph_EveryEdgePointsFromALayerToALaterOne(int size, int seed)
    {
        var graph = LayoutGraphs.Random(size, seed);

        var layout = LayeredLayout.Compute(graph);

        for (int e = 0; e < graph.EdgeCount; e++)
        {
            int from = graph.EdgeFrom[e], to = graph.EdgeTo[e];
            if (layout.Layers[from] >= layout.Layers[to])
                Assert.Fail($"edge {from} -> {to} goes from layer {layout.Layers[from]} to {layout.Layers[to]}");
            if (layout.Boxes[from].Right >= layout.Boxes[to].X) Assert.Fail($"edge {from} -> {to} does not run left to right");
        }
    }

    [Theory]
    [MemberData(nameof(RandomGraphs))]
    public void RandomGraph_LayersAreTheLongestPathFromTheSources(int size, int seed)
    {
        var graph = LayoutGraphs.Random(size, seed);

        var layers = LayeredLayout.Compute(graph).Layers;

        var expected = new int[graph.NodeCount];
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int e = 0; e < graph.EdgeCount; e++)
            {
                if (expected[graph.EdgeTo[e]] < expected[graph.EdgeFrom[e]] + 1)
                {
                    expected[graph.EdgeTo[e]] = expected[graph.EdgeFrom[e]] + 1;
                    changed = true;
                }
            }
        }
        Assert.Equal(expected, layers);
    }

    [Theory]
    [MemberData(nameof(RandomGraphs))]
    public void RandomGraph_RoutesRunFromPortToPortLeftToRight(int size, int seed)
    {
        var graph = LayoutGraphs.Random(size, seed);

        var layout = LayeredLayout.Compute(graph);

        for (int e = 0; e < graph.EdgeCount; e++)
        {
            Point[] route = layout.Routes[e];
            Box from = layout.Boxes[graph.EdgeFrom[e]], to = layout.Boxes[graph.EdgeTo[e]];
            Assert.Equal(from.Right, route[0].X);
            Assert.InRange(route[0].Y, from.Y, from.Bottom);
            Assert.Equal(to.X, route[^1].X);
            Assert.InRange(route[^1].Y, to.Y, to.Bottom);
            for (int i = 1; i < route.Length; i++)
                if (route[i].X < route[i - 1].X) Assert.Fail($"edge {e} turns back");
        }
    }

    [Theory]
    [MemberData(nameof(RandomGraphs))]
    public void RandomGraph_LongEdgesPassThroughLayersBetweenTheirNodes(int size, int seed)
    {
        var graph = LayoutGraphs.Random(size, seed);

        var layout = LayeredLayout.Compute(graph, new LayoutOptions { MaxVirtualPoints = int.MaxValue });

        for (int e = 0; e < graph.EdgeCount; e++)
        {
            Point[] route = layout.Routes[e];
            int span = layout.Layers[graph.EdgeTo[e]] - layout.Layers[graph.EdgeFrom[e]];
            Assert.Equal(2 * span, route.Length);
            // Inside a column the route runs level, and clear of every box there.
            for (int i = 1; i + 1 < route.Length; i += 2)
            {
                Assert.Equal(route[i].Y, route[i + 1].Y);
                foreach (Box box in layout.Boxes)
                {
                    bool sameColumn = box.X < route[i + 1].X && route[i].X < box.Right;
                    if (sameColumn && route[i].Y > box.Y && route[i].Y < box.Bottom) Assert.Fail($"edge {e} runs through a node");
                }
            }
        }
    }

    [Fact]
    public void SameGraph_SameLayout()
    {
        var first = LayeredLayout.Compute(LayoutGraphs.Random(300, 11));
        var second = LayeredLayout.Compute(LayoutGraphs.Random(300, 11));

        Assert.Equal(first.Boxes, second.Boxes);
        Assert.Equal(first.Routes.Length, second.Routes.Length);
        for (int e = 0; e < first.Routes.Length; e++) Assert.Equal(first.Routes[e], second.Routes[e]);
        Assert.Equal((first.Width, first.Height), (second.Width, second.Height));
    }

    [Fact]
    public void BarycentreSweeps_UncrossTwoCrossedEdges()
    {
        // Sources 0 and 1; 2 reads 1 and 3 reads 0: in index order the two edges cross.
        var graph = LayoutGraphs.Of(4, (1, 2), (0, 3));

        Assert.Equal(1, LayeredLayout.CountCrossings(graph, reduce: false));
        Assert.Equal(0, LayeredLayout.CountCrossings(graph));
        var layout = LayeredLayout.Compute(graph);
        Assert.Equal(layout.Ranks[0] < layout.Ranks[1], layout.Ranks[3] < layout.Ranks[2]);
    }

    [Theory]
    [InlineData(60, 21)]
    [InlineData(200, 22)]
    [InlineData(500, 23)]
    public void BarycentreSweeps_NeverAddCrossings(int size, int seed)
    {
        var graph = LayoutGraphs.Random(size, seed);

        Assert.True(LayeredLayout.CountCrossings(graph) <= LayeredLayout.CountCrossings(graph, reduce: false));
    }

    [Fact]
    public void Chain_OfAHundredThousandNodes_IsLaidOutWithoutRecursion()
    {
        var layout = LayeredLayout.Compute(LayoutGraphs.Chain(100_000));

        Assert.Equal(100_001, layout.LayerCount);
        Assert.Equal(100_000, layout.Layers[^1]);
        Assert.All(layout.Boxes, box => Assert.Equal(layout.Boxes[0].Y, box.Y));
    }

    [Fact]
    public void LongEdges_PastTheVirtualPointBudget_RunStraight()
    {
        // 0 -> 1 -> 2 -> 3 and 0 -> 3: the long edge would need two virtual points.
        var graph = LayoutGraphs.Of(4, (0, 1), (1, 2), (2, 3), (0, 3));

        var routed = LayeredLayout.Compute(graph);
        var straight = LayeredLayout.Compute(graph, new LayoutOptions { MaxVirtualPoints = 1 });

        Assert.Equal(6, routed.Routes[3].Length);
        Assert.Equal(2, straight.Routes[3].Length);
    }

    [Fact]
    public void ParallelEdges_GetTheirOwnPortsInTheSameOrderAtBothEnds()
    {
        // A gate reading one input twice (x * x).
        var graph = LayoutGraphs.Of(2, (0, 1), (0, 1));

        var layout = LayeredLayout.Compute(graph);

        Assert.True(layout.Routes[0][0].Y < layout.Routes[1][0].Y);
        Assert.True(layout.Routes[0][^1].Y < layout.Routes[1][^1].Y);
    }

    [Fact]
    public void Cycle_IsRefused()
    {
        var graph = LayoutGraphs.Of(3, (0, 1), (1, 2), (2, 1));

        Assert.Throws<ArgumentException>(() => LayeredLayout.Compute(graph));
    }

    [Fact]
    public void EmptyGraph_IsAnEmptyPicture()
    {
        var layout = LayeredLayout.Compute(LayoutGraphs.Of(0));

        Assert.Equal(0, layout.LayerCount);
        Assert.True(layout.Width > 0 && layout.Height > 0);
    }
}
