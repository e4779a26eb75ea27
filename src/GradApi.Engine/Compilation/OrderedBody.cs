using GradApi.Engine.Buffers;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Ops;

namespace GradApi.Engine.Compilation;

/// <summary>
/// The compile of a valid graph whose every input names an earlier node, the order clients nearly always send:
/// one pass over the nodes (<see cref="OrderedPrefix"/>) resolves, checks and levels them, and the tape comes out in the very order that
/// <see cref="GraphCompiler"/>'s Kahn's algorithm gives, without its lists of readers. Anything else (an input
/// naming a later node, any error) makes <see cref="TryCompile"/> give up, and the general path compiles the
/// graph or reports what is wrong with it, as it always has.
/// </summary>
/// <remarks>
/// <para>
/// Why the same order and not the request's: the tape's order is the order in which backward adds up the
/// contributions to each grad, and floating-point addition is not associative, so another order would change
/// the answer in its last bits (and which failure a graph that overflows reports first).
/// </para>
/// <para>
/// Kahn's queue, run first in first out, takes the gates level by level, a gate's level being 0 when it reads
/// only leaves and else one more than its highest gate input's. Within level k + 1, a gate joins the queue when
/// the last of its inputs leaves it, which is its input of highest rank (the queue's order); the gates that one
/// input releases join in the request's order, the order of its readers' list. So level k + 1 is its gates
/// sorted stably by the rank of their highest-ranked input, which is on level k: one counting sort per level.
/// Leaves nobody reads stand on level 0 in the request's order with the gates that read only leaves, as Kahn's
/// first scan lists them; every other leaf goes just before its first reader, as Kahn's placement puts it.
/// </para>
/// </remarks>
internal static class OrderedBody
{
    private const int CancellationStride = 4096;

    /// <summary>The level of a leaf; gates have levels 0 and up.</summary>
    private const int Leaf = OrderedPrefix.Leaf;

    /// <summary>
    /// The tape of <paramref name="spec"/>, the same one the general path compiles; or null if the graph names a
    /// later node or has anything wrong with it, with <paramref name="ids"/> left partly filled.
    /// </summary>
    public static Tape? TryCompile(GraphSpec spec, IdTable ids, EvaluationMode mode, bool inputDefaultsOptional,
        CancellationToken cancellationToken)
    {
        int n = spec.NodeCount;
        if (n == 0 || !double.IsFinite(spec.Seed)) return null;
        using var prefix = new OrderedPrefix(ids, n, spec.InputCount, inputDefaultsOptional);
        return prefix.Advance(spec.View(n), cancellationToken) ? TryFinish(spec, prefix, mode, cancellationToken) : null;
    }

    /// <summary>
    /// The tape, from <paramref name="prefix"/> with every node of <paramref name="spec"/> resolved: the output found,
    /// the queue sorted level by level, the tape emitted (and for inference planned). Null when the output is not there
    /// or not the only sink, or the seed is not finite; the prefix's arrays are given back either way.
    /// </summary>
    public static Tape? TryFinish(GraphSpec spec, OrderedPrefix prefix, EvaluationMode mode, CancellationToken cancellationToken)
    {
        if (spec.NodeCount == 0 || prefix.Resolved != spec.NodeCount || prefix.Failed || !double.IsFinite(spec.Seed)) return null;
        int[]? queue = null;
        long[]? inputRange = null;
        try
        {
            int output = Output(spec, prefix.Ids, prefix.IsRead!);
            if (output < 0) return null;

            queue = Queue(spec, prefix.EdgeNode!, prefix.Level!, prefix.IsRead!, prefix.Levels, out inputRange, out int queued, cancellationToken);
            // Each working array goes back to the pool as soon as it is done with, so that the next stage's arrays
            // of the same size are these again rather than more memory: the tape's, then the inference plan's.
            OrderedPrefix.GiveBack(ref prefix.Level);
            OrderedPrefix.GiveBack(ref prefix.IsRead);
            TapeArrays tape = Emit(spec, prefix.EdgeNode!, queue, inputRange, queued, cancellationToken);
            OrderedPrefix.GiveBack(ref prefix.EdgeNode);
            GiveBack(ref queue);
            GiveBack(ref inputRange);
            return GraphCompiler.NewTape(spec, tape.Ops, tape.LeafValues, tape.EdgeStart, tape.EdgeInput, tape.NodeAt, tape.PositionOf,
                output, tape.MaxArity, mode);
        }
        finally
        {
            prefix.Dispose();
            GiveBack(ref queue);
            GiveBack(ref inputRange);
        }
    }

    /// <summary>Returns <paramref name="array"/> to the pool, once: it is null after.</summary>
    private static void GiveBack<T>(ref T[]? array) => OrderedPrefix.GiveBack(ref array);

    /// <summary>The named output, or the only sink; -1 when there is none or more than one (the general path says which).</summary>
    private static int Output(GraphSpec spec, IdTable ids, bool[] isRead)
    {
        if (spec.Output is { } name) return ids.Find(System.Text.Encoding.UTF8.GetBytes(name));
        ReadOnlySpan<bool> read = isRead.AsSpan(0, spec.NodeCount);
        int sink = read.IndexOf(false);
        return sink >= 0 && read[(sink + 1)..].IndexOf(false) < 0 ? sink : -1;
    }

    /// <summary>
    /// Kahn's queue: the gates and the leaves nobody reads, in the order Kahn's algorithm takes them. Rents the
    /// queue; <paramref name="level"/> ends up holding each queued node's rank in it (still <see cref="Leaf"/> for a leaf that is read).
    /// </summary>
    /// <param name="inputRange">
    /// Rented too: for each rank, where the node's inputs start and end in the spec's input list (<see cref="Range"/>),
    /// read here where the nodes of a level come in the request's order, so that <see cref="Emit"/>, which takes
    /// them in the queue's order, makes one trip to memory fewer per node.
    /// </param>
    private static int[] Queue(GraphSpec spec, int[] edgeNode, int[] level, bool[] isRead, int levels, out long[] inputRange,
        out int queued, CancellationToken cancellationToken)
    {
        int n = spec.NodeCount;
        ReadOnlySpan<int> inputStart = spec.InputStarts;
        int[] levelStart = BufferPool<int>.Shared.Rent(levels + 1);
        int[] byLevel = BufferPool<int>.Shared.Rent(n); // the queued nodes by level, each level in the request's order
        int[]? key = null;   // for each gate of a level, its highest-ranked input less the first rank of the level below
        int[]? count = null; // the counting sort's counts, one per rank of the level below
        int[] queue = BufferPool<int>.Shared.Rent(n);
        long[] range = inputRange = BufferPool<long>.Shared.Rent(n);
        try
        {
            // A leaf nobody reads stands on level 0.
            Span<int> starts = levelStart.AsSpan(0, levels + 1);
            starts.Clear();
            queued = 0;
            for (int i = 0; i < n; i++)
            {
                int at = level[i];
                if (at == Leaf && isRead[i]) continue;
                starts[Math.Max(at, 0) + 1]++;
                queued++;
            }
            for (int k = 0; k < levels; k++) starts[k + 1] += starts[k];
            for (int i = 0; i < n; i++)
            {
                int at = level[i];
                if (at == Leaf && isRead[i]) continue;
                byLevel[starts[Math.Max(at, 0)]++] = i;
            }
            // Each start has moved to the next level's: shift them back.
            for (int k = levels; k > 0; k--) starts[k] = starts[k - 1];
            starts[0] = 0;
            int widest = 0;
            for (int k = 0; k < levels; k++) widest = Math.Max(widest, starts[k + 1] - starts[k]);
            key = BufferPool<int>.Shared.Rent(widest);
            count = BufferPool<int>.Shared.Rent(widest + 1);

            // Level 0 in the request's order; from here on level[] holds ranks, and a leaf that is read keeps Leaf (-1).
            for (int r = 0; r < starts[1]; r++)
            {
                int node = byLevel[r];
                queue[r] = node;
                range[r] = Range(inputStart[node], inputStart[node + 1]);
                level[node] = r;
            }

            for (int k = 1; k < levels; k++)
            {
                int below = starts[k - 1], width = starts[k] - below, first = starts[k], last = starts[k + 1];
                Span<int> counts = count.AsSpan(0, width + 1);
                counts.Clear();
                for (int j = first; j < last; j++)
                {
                    if ((j & (CancellationStride - 1)) == 0) cancellationToken.ThrowIfCancellationRequested();
                    int gate = byLevel[j], highest = Leaf;
                    for (int e = inputStart[gate]; e < inputStart[gate + 1]; e++) highest = Math.Max(highest, level[edgeNode[e]]);
                    key[j - first] = highest - below;
                    counts[highest - below + 1]++;
                }
                for (int b = 0; b < width; b++) counts[b + 1] += counts[b];
                for (int j = first; j < last; j++)
                {
                    int gate = byLevel[j], r = first + counts[key[j - first]]++;
                    queue[r] = gate;
                    range[r] = Range(inputStart[gate], inputStart[gate + 1]);
                    level[gate] = r;
                }
            }
            return queue;
        }
        catch
        {
            BufferPool<int>.Shared.Return(queue);
            BufferPool<long>.Shared.Return(range);
            throw;
        }
        finally
        {
            BufferPool<int>.Shared.Return(levelStart);
            BufferPool<int>.Shared.Return(byLevel);
            GiveBack(ref key);
            GiveBack(ref count);
        }
    }

    /// <summary>
    /// The tape: the queue in order, each gate's leaves not yet placed just before it, as Kahn's placement puts them.
    /// Looks at the token every few thousand nodes, as the stages before it do, and gives its arrays back if it stops.
    /// </summary>
    private static TapeArrays Emit(GraphSpec spec, int[] edgeNode, int[] queue, long[] inputRange, int queued,
        CancellationToken cancellationToken)
    {
        int n = spec.NodeCount, edges = spec.InputCount;
        ReadOnlySpan<byte> codes = spec.OpCodes;
        ReadOnlySpan<double> values = spec.Values;
        int[] nodeAt = BufferPool<int>.Shared.Rent(n);
        int[] positionOf = BufferPool<int>.Shared.Rent(n);
        OpCode[] tapeOps = BufferPool<OpCode>.Shared.Rent(n);
        double[] leafValues = BufferPool<double>.Shared.Rent(n);
        int[] edgeStart = BufferPool<int>.Shared.Rent(n + 1);
        int[] edgeInput = BufferPool<int>.Shared.Rent(edges);
        Array.Fill(positionOf, -1, 0, n); // -1 until placed; only a leaf is read before it is placed

        int p = 0, edge = 0, maxArity = 0;
        for (int r = 0; r < queued; r++)
        {
            if ((r & (CancellationStride - 1)) == 0 && cancellationToken.IsCancellationRequested)
            {
                BufferPool<int>.Shared.Return(nodeAt);
                BufferPool<int>.Shared.Return(positionOf);
                BufferPool<OpCode>.Shared.Return(tapeOps);
                BufferPool<double>.Shared.Return(leafValues);
                BufferPool<int>.Shared.Return(edgeStart);
                BufferPool<int>.Shared.Return(edgeInput);
                cancellationToken.ThrowIfCancellationRequested();
            }
            int node = queue[r];
            int start = (int)inputRange[r], end = (int)(inputRange[r] >> 32);
            for (int e = start; e < end; e++)
            {
                int input = edgeNode[e];
                if (positionOf[input] >= 0) continue;
                positionOf[input] = p;
                nodeAt[p] = input;
                tapeOps[p] = (OpCode)codes[input];
                leafValues[p] = values[input];
                edgeStart[p++] = edge;
            }

            // The node itself: a gate, or a leaf nobody reads. A gate's value in the spec is 0: no need to fetch it.
            OpCode op = (OpCode)codes[node];
            positionOf[node] = p;
            nodeAt[p] = node;
            tapeOps[p] = op;
            leafValues[p] = op <= OpCode.Const ? values[node] : 0;
            edgeStart[p++] = edge;
            for (int e = start; e < end; e++) edgeInput[edge++] = positionOf[edgeNode[e]];
            maxArity = Math.Max(maxArity, end - start);
        }
        edgeStart[n] = edge;
        return new TapeArrays(tapeOps, leafValues, edgeStart, edgeInput, nodeAt, positionOf, maxArity);
    }

    /// <summary>The arrays of a tape (see <see cref="Tape"/>), rented, before it is made.</summary>
    private readonly record struct TapeArrays(OpCode[] Ops, double[] LeafValues, int[] EdgeStart, int[] EdgeInput, int[] NodeAt,
        int[] PositionOf, int MaxArity);

    /// <summary>Where a node's inputs start and end, in one number.</summary>
    private static long Range(int start, int end) => (uint)start | ((long)end << 32);
}
