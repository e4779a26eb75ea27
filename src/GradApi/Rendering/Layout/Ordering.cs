namespace GradApi.Rendering.Layout;

/// <summary>
/// Orders each layer to reduce edge crossings: barycentre sweeps, down then up, each placing an
/// item at the mean rank of its neighbours in the layer it was just compared with. Keeps the best
/// order seen, counted by <see cref="Crossings"/>.
/// </summary>
internal static class Ordering
{
    public static void ReduceCrossings(LayerGrid grid, int sweeps)
    {
        long best = Crossings(grid);
        int[][] bestOrder = grid.CopyOrder();
        for (int round = 0; round < sweeps && best > 0; round++)
        {
            for (int l = 1; l < grid.Layers.Length; l++) SortByBarycentre(grid, l, grid.PredStart, grid.Preds);
            for (int l = grid.Layers.Length - 2; l >= 0; l--) SortByBarycentre(grid, l, grid.SuccStart, grid.Succs);
            long crossings = Crossings(grid);
            if (crossings < best)
            {
                best = crossings;
                bestOrder = grid.CopyOrder();
            }
        }
        grid.RestoreOrder(bestOrder);
    }

    /// <summary>
    /// Sorts one layer by the mean rank of each item's neighbours; an item with none keeps its own
    /// rank as its key. Ties keep the current order, so the result is deterministic.
    /// </summary>
    private static void SortByBarycentre(LayerGrid grid, int layer, int[] start, int[] neighbours)
    {
        int[] items = grid.Layers[layer];
        var keys = new double[items.Length];
        for (int r = 0; r < items.Length; r++)
        {
            int item = items[r];
            int count = start[item + 1] - start[item];
            if (count == 0)
            {
                keys[r] = r;
                continue;
            }
            double sum = 0;
            for (int k = start[item]; k < start[item + 1]; k++) sum += grid.Rank[neighbours[k]];
            keys[r] = sum / count;
        }
        var order = new int[items.Length];
        for (int r = 0; r < order.Length; r++) order[r] = r;
        Array.Sort(order, (a, b) => keys[a] != keys[b] ? keys[a].CompareTo(keys[b]) : a.CompareTo(b));
        var sorted = new int[items.Length];
        for (int r = 0; r < order.Length; r++) sorted[r] = items[order[r]];
        sorted.CopyTo(items, 0);
        for (int r = 0; r < items.Length; r++) grid.Rank[items[r]] = r;
    }

    /// <summary>
    /// The number of pairs of segments between consecutive layers that cross: segments listed by
    /// their upper end's rank, then their lower end's; each pair whose lower ends come in the
    /// opposite order crosses. Counted with a Fenwick tree, O(S log S).
    /// </summary>
    public static long Crossings(LayerGrid grid)
    {
        long total = 0;
        var lowerRanks = new List<int>();
        for (int l = 0; l + 1 < grid.Layers.Length; l++)
        {
            lowerRanks.Clear();
            foreach (int item in grid.Layers[l])
            {
                int first = lowerRanks.Count;
                for (int k = grid.SuccStart[item]; k < grid.SuccStart[item + 1]; k++)
                {
                    int succ = grid.Succs[k];
                    if (grid.ItemLayer[succ] == l + 1) lowerRanks.Add(grid.Rank[succ]);
                }
                lowerRanks.Sort(first, lowerRanks.Count - first, Comparer<int>.Default);
            }
            total += Inversions(lowerRanks, grid.Layers[l + 1].Length);
        }
        return total;
    }

    /// <summary>Pairs i &lt; j with values[i] &gt; values[j], for values in [0, size).</summary>
    private static long Inversions(List<int> values, int size)
    {
        var tree = new int[size + 1];
        long inversions = 0;
        for (int i = 0; i < values.Count; i++)
        {
            int atMost = 0;
            for (int k = values[i] + 1; k > 0; k -= k & -k) atMost += tree[k];
            inversions += i - atMost;
            for (int k = values[i] + 1; k <= size; k += k & -k) tree[k]++;
        }
        return inversions;
    }
}
