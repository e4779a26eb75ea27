namespace GradApi.Rendering.Layout;

/// <summary>
/// The layered graph the ordering and placement work on. Its items are the nodes (items
/// <c>0..NodeCount-1</c>) and virtual points: an edge that spans several layers gets one virtual
/// point in every layer it passes through, so it takes a place there like a node and is kept
/// clear of the nodes. Segments join items of consecutive layers (or, past the virtual point
/// budget, a long edge's two ends directly).
/// </summary>
internal sealed class LayerGrid
{
    private LayerGrid(int nodeCount, List<int> itemLayer, List<int> segmentFrom, List<int> segmentTo, int[] chainStart,
        List<int> chainItems, int[][] layers)
    {
        NodeCount = nodeCount;
        ItemLayer = itemLayer;
        SegmentFrom = segmentFrom;
        SegmentTo = segmentTo;
        ChainStart = chainStart;
        ChainItems = chainItems;
        Layers = layers;
        Rank = new int[itemLayer.Count];
        UpdateRanks();
        (PredStart, Preds) = Adjacency.Build(ItemCount, segmentTo, segmentFrom);
        (SuccStart, Succs) = Adjacency.Build(ItemCount, segmentFrom, segmentTo);
    }

    public int NodeCount { get; }

    public int ItemCount => ItemLayer.Count;

    public List<int> ItemLayer { get; }

    public List<int> SegmentFrom { get; }

    public List<int> SegmentTo { get; }

    /// <summary>Edge e's virtual points are <c>ChainItems[ChainStart[e]..ChainStart[e+1]]</c>, from source to target.</summary>
    public int[] ChainStart { get; }

    public List<int> ChainItems { get; }

    /// <summary>The items of each layer, top to bottom.</summary>
    public int[][] Layers { get; }

    /// <summary>Each item's index in its layer.</summary>
    public int[] Rank { get; }

    public int[] PredStart { get; }

    public int[] Preds { get; }

    public int[] SuccStart { get; }

    public int[] Succs { get; }

    public bool IsNode(int item) => item < NodeCount;

    public static LayerGrid Build(LayoutGraph graph, int[] nodeLayer, int maxVirtualPoints)
    {
        int n = graph.NodeCount;
        long needed = 0;
        for (int e = 0; e < graph.EdgeCount; e++)
            needed += Math.Max(0, nodeLayer[graph.EdgeTo[e]] - nodeLayer[graph.EdgeFrom[e]] - 1);
        bool routeThrough = needed <= maxVirtualPoints;

        var itemLayer = new List<int>(n + (routeThrough ? (int)needed : 0));
        itemLayer.AddRange(nodeLayer);
        var segmentFrom = new List<int>(graph.EdgeCount);
        var segmentTo = new List<int>(graph.EdgeCount);
        var chainStart = new int[graph.EdgeCount + 1];
        var chainItems = new List<int>();
        for (int e = 0; e < graph.EdgeCount; e++)
        {
            int from = graph.EdgeFrom[e], to = graph.EdgeTo[e];
            int previous = from;
            if (routeThrough)
            {
                for (int layer = nodeLayer[from] + 1; layer < nodeLayer[to]; layer++)
                {
                    int point = itemLayer.Count;
                    itemLayer.Add(layer);
                    chainItems.Add(point);
                    segmentFrom.Add(previous);
                    segmentTo.Add(point);
                    previous = point;
                }
            }
            segmentFrom.Add(previous);
            segmentTo.Add(to);
            chainStart[e + 1] = chainItems.Count;
        }

        int layerCount = n == 0 ? 0 : nodeLayer.Max() + 1;
        var sizes = new int[layerCount];
        foreach (int layer in itemLayer) sizes[layer]++;
        var layers = new int[layerCount][];
        for (int l = 0; l < layerCount; l++) layers[l] = new int[sizes[l]];
        var fill = new int[layerCount];
        for (int item = 0; item < itemLayer.Count; item++) layers[itemLayer[item]][fill[itemLayer[item]]++] = item;
        return new LayerGrid(n, itemLayer, segmentFrom, segmentTo, chainStart, chainItems, layers);
    }

    public void UpdateRanks()
    {
        foreach (int[] layer in Layers)
            for (int r = 0; r < layer.Length; r++) Rank[layer[r]] = r;
    }

    public int[][] CopyOrder() => Layers.Select(layer => (int[])layer.Clone()).ToArray();

    public void RestoreOrder(int[][] order)
    {
        for (int l = 0; l < Layers.Length; l++) order[l].CopyTo(Layers[l], 0);
        UpdateRanks();
    }
}
