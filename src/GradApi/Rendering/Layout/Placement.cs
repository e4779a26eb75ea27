namespace GradApi.Rendering.Layout;

/// <summary>
/// Coordinates for an ordered <see cref="LayerGrid"/>. Layers are columns, left to right. Within a
/// column, items keep their order and their gaps; each sweep moves them as close as the order
/// allows to the mean height of their neighbours in the previous column (down) or the next (up),
/// which straightens edges. The closest placement that keeps the order and the gaps is an isotonic
/// regression, solved exactly by pooling adjacent violators.
/// </summary>
internal static class Placement
{
    public static GraphLayout Place(LayoutGraph graph, LayerGrid grid, LayoutOptions options)
    {
        int layerCount = grid.Layers.Length;
        var height = new double[grid.ItemCount];
        for (int item = 0; item < grid.NodeCount; item++) height[item] = graph.Heights[item];

        // Columns: as wide as their widest node, LayerGap apart.
        var columnX = new double[layerCount];
        var columnWidth = new double[layerCount];
        for (int v = 0; v < grid.NodeCount; v++)
            columnWidth[grid.ItemLayer[v]] = Math.Max(columnWidth[grid.ItemLayer[v]], graph.Widths[v]);
        double x = options.Margin;
        for (int l = 0; l < layerCount; l++)
        {
            columnX[l] = x;
            x += columnWidth[l] + options.LayerGap;
        }
        double width = layerCount == 0 ? 2 * options.Margin : x - options.LayerGap + options.Margin;

        // Heights: packed, then straightened.
        var center = new double[grid.ItemCount];
        foreach (int[] layer in grid.Layers)
        {
            double top = 0;
            for (int r = 0; r < layer.Length; r++)
            {
                if (r > 0) top += Gap(grid, layer[r - 1], layer[r], options);
                center[layer[r]] = top + height[layer[r]] / 2;
                top += height[layer[r]];
            }
        }
        for (int round = 0; round < options.Sweeps; round++)
        {
            for (int l = 1; l < layerCount; l++) Straighten(grid, l, grid.PredStart, grid.Preds, center, height, options);
            for (int l = layerCount - 2; l >= 0; l--) Straighten(grid, l, grid.SuccStart, grid.Succs, center, height, options);
        }

        double minTop = double.PositiveInfinity, maxBottom = double.NegativeInfinity;
        for (int item = 0; item < grid.ItemCount; item++)
        {
            minTop = Math.Min(minTop, center[item] - height[item] / 2);
            maxBottom = Math.Max(maxBottom, center[item] + height[item] / 2);
        }
        double shift = grid.ItemCount == 0 ? 0 : options.Margin - minTop;
        for (int item = 0; item < grid.ItemCount; item++) center[item] += shift;
        double totalHeight = grid.ItemCount == 0 ? 2 * options.Margin : maxBottom - minTop + 2 * options.Margin;

        var boxes = new Box[grid.NodeCount];
        for (int v = 0; v < grid.NodeCount; v++)
        {
            int l = grid.ItemLayer[v];
            boxes[v] = new Box(columnX[l] + (columnWidth[l] - graph.Widths[v]) / 2, center[v] - height[v] / 2,
                graph.Widths[v], height[v]);
        }

        var layers = new int[grid.NodeCount];
        var ranks = new int[grid.NodeCount];
        for (int v = 0; v < grid.NodeCount; v++)
        {
            layers[v] = grid.ItemLayer[v];
            ranks[v] = grid.Rank[v];
        }
        Point[][] routes = Route(graph, grid, boxes, center, columnX, columnWidth);
        return new GraphLayout(layers, ranks, boxes, routes, layerCount, width, totalHeight);
    }

    private static double Gap(LayerGrid grid, int upper, int lower, LayoutOptions options) =>
        grid.IsNode(upper) && grid.IsNode(lower) ? options.NodeGap : options.EdgeSpacing;

    /// <summary>Moves one layer's items towards their neighbours' mean height, keeping their order and gaps.</summary>
    private static void Straighten(LayerGrid grid, int layer, int[] start, int[] neighbours, double[] center, double[] height,
        LayoutOptions options)
    {
        int[] items = grid.Layers[layer];
        int m = items.Length;
        if (m == 0) return;

        // offset[r]: item r's centre below item 0's when packed tight. With z = centre - offset the
        // constraints become z nondecreasing, and the best z is the isotonic regression of target - offset.
        var offset = new double[m];
        var wanted = new double[m];
        for (int r = 0; r < m; r++)
        {
            int item = items[r];
            if (r > 0)
                offset[r] = offset[r - 1] + height[items[r - 1]] / 2 + Gap(grid, items[r - 1], item, options) + height[item] / 2;
            int count = start[item + 1] - start[item];
            double target = center[item];
            if (count > 0)
            {
                double sum = 0;
                for (int k = start[item]; k < start[item + 1]; k++) sum += center[neighbours[k]];
                target = sum / count;
            }
            wanted[r] = target - offset[r];
        }

        // Pool adjacent violators: blocks of (sum, count, first index) whose means never decrease.
        var blockSum = new double[m];
        var blockCount = new int[m];
        var blockFirst = new int[m];
        int blocks = 0;
        for (int r = 0; r < m; r++)
        {
            blockSum[blocks] = wanted[r];
            blockCount[blocks] = 1;
            blockFirst[blocks] = r;
            blocks++;
            while (blocks > 1 && blockSum[blocks - 2] / blockCount[blocks - 2] > blockSum[blocks - 1] / blockCount[blocks - 1])
            {
                blockSum[blocks - 2] += blockSum[blocks - 1];
                blockCount[blocks - 2] += blockCount[blocks - 1];
                blocks--;
            }
        }
        for (int b = 0; b < blocks; b++)
        {
            double z = blockSum[b] / blockCount[b];
            for (int r = blockFirst[b]; r < blockFirst[b] + blockCount[b]; r++) center[items[r]] = z + offset[r];
        }
    }

    /// <summary>
    /// Each edge from its source's right side through its virtual points to its target's left side.
    /// A node's ports are spread evenly down its side, in the order of the items at the edges' other
    /// ends (then the edges' order), so edges leave and arrive without crossing one another.
    /// </summary>
    private static Point[][] Route(LayoutGraph graph, LayerGrid grid, Box[] boxes, double[] center, double[] columnX, double[] columnWidth)
    {
        int edges = graph.EdgeCount;
        int NextItem(int e) => grid.ChainStart[e] < grid.ChainStart[e + 1] ? grid.ChainItems[grid.ChainStart[e]] : graph.EdgeTo[e];
        int PreviousItem(int e) => grid.ChainStart[e] < grid.ChainStart[e + 1] ? grid.ChainItems[grid.ChainStart[e + 1] - 1] : graph.EdgeFrom[e];

        double[] outPort = Ports(graph.EdgeFrom, e => center[NextItem(e)], boxes);
        double[] inPort = Ports(graph.EdgeTo, e => center[PreviousItem(e)], boxes);

        var routes = new Point[edges][];
        for (int e = 0; e < edges; e++)
        {
            int chain = grid.ChainStart[e + 1] - grid.ChainStart[e];
            var points = new Point[2 + 2 * chain];
            points[0] = new Point(boxes[graph.EdgeFrom[e]].Right, outPort[e]);
            for (int k = 0; k < chain; k++)
            {
                int item = grid.ChainItems[grid.ChainStart[e] + k];
                int l = grid.ItemLayer[item];
                points[1 + 2 * k] = new Point(columnX[l], center[item]);
                points[2 + 2 * k] = new Point(columnX[l] + columnWidth[l], center[item]);
            }
            points[^1] = new Point(boxes[graph.EdgeTo[e]].X, inPort[e]);
            routes[e] = points;
        }
        return routes;
    }

    /// <summary>The height of each edge's port on <paramref name="ends"/>[e], ordered by the other end's height.</summary>
    private static double[] Ports(int[] ends, Func<int, double> otherEnd, Box[] boxes)
    {
        var edges = Enumerable.Range(0, ends.Length)
            .OrderBy(e => ends[e])
            .ThenBy(otherEnd)
            .ThenBy(e => e)
            .ToArray();
        var port = new double[ends.Length];
        int i = 0;
        while (i < edges.Length)
        {
            int node = ends[edges[i]];
            int j = i;
            while (j < edges.Length && ends[edges[j]] == node) j++;
            int count = j - i;
            for (int k = 0; k < count; k++) port[edges[i + k]] = boxes[node].Y + boxes[node].Height * (k + 1) / (count + 1);
            i = j;
        }
        return port;
    }
}
