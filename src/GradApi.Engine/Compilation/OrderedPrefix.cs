using GradApi.Engine.Buffers;
using GradApi.Engine.Graphs;
using GradApi.Engine.Ops;

namespace GradApi.Engine.Compilation;

/// <summary>
/// The first nodes of an ordered body (see <see cref="OrderedBody"/>), resolved: each one's inputs found among the
/// nodes before it, the node checked as <see cref="GraphCompiler"/> checks it, its level set and its id added.
/// <see cref="Advance"/> takes in the nodes added since the last call, so that resolving can keep pace with a parse
/// (<see cref="CompileAhead"/>) as well as run over a whole spec at once; its arrays grow when the nodes outrun them.
/// </summary>
/// <remarks>
/// The arrays are rented; <see cref="OrderedBody.TryFinish"/> gives each back as soon as it is done with it (and sets
/// its field to null), and <see cref="Dispose"/> whatever is left. The id table is the caller's.
/// </remarks>
internal sealed class OrderedPrefix : IDisposable
{
    /// <summary>The level of a leaf; gates have levels 0 and up.</summary>
    internal const int Leaf = -1;

    /// <summary>How many nodes are resolved between two looks at the cancellation token, as in the engine.</summary>
    private const int CancellationStride = 4096;

    /// <summary>
    /// How many nodes ahead <see cref="Advance"/> asks for the id table's slots: enough for a miss of every cache to
    /// come in while the nodes in between are resolved.
    /// </summary>
    private const int LookAhead = 16;

    private readonly bool _inputDefaultsOptional;
    private int _top = -1;

    /// <param name="ids">The id table to add the ids to, empty; the caller disposes it.</param>
    /// <param name="nodes">How many nodes to make room for at first.</param>
    /// <param name="edges">How many inputs, all nodes together.</param>
    /// <param name="inputDefaultsOptional">Whether an <c>input</c> leaf may come without a value (see <see cref="GraphCompiler"/>).</param>
    public OrderedPrefix(IdTable ids, int nodes, int edges, bool inputDefaultsOptional)
    {
        Ids = ids;
        _inputDefaultsOptional = inputDefaultsOptional;
        EdgeNode = BufferPool<int>.Shared.Rent(Math.Max(edges, 16));
        Level = BufferPool<int>.Shared.Rent(Math.Max(nodes, 16));
        IsRead = BufferPool<bool>.Shared.Rent(Math.Max(nodes, 16));
    }

    public IdTable Ids { get; }

    /// <summary>How many nodes, from the first, are resolved.</summary>
    public int Resolved { get; private set; }

    /// <summary>Whether a node names an input that is not before it, or has anything wrong with it: the ordered path is closed.</summary>
    public bool Failed { get; private set; }

    /// <summary>How many levels the resolved nodes stand on: level 0 is there even without gates, for the leaves nobody reads.</summary>
    public int Levels => Math.Max(_top + 1, 1);

    /// <summary>For each entry of the spec's input list so far, the index of the node it names.</summary>
    public int[]? EdgeNode;

    /// <summary>The level of each node (<see cref="Leaf"/> for a leaf); <see cref="OrderedBody"/>'s queue turns it into ranks.</summary>
    public int[]? Level;

    /// <summary>Whether a node resolved so far reads the node.</summary>
    public bool[]? IsRead;

    /// <summary>
    /// Resolves the nodes of <paramref name="nodes"/> after the first <see cref="Resolved"/>, in the request's order.
    /// False at the first input that names no earlier node and at the first fault of any kind, for good:
    /// <see cref="Failed"/> is set and nothing more is resolved.
    /// </summary>
    public bool Advance(NodesView nodes, CancellationToken cancellationToken)
    {
        if (Failed) return false;
        int from = Resolved, to = nodes.NodeCount;
        if (from >= to) return true;
        ReadOnlySpan<TextRange> idRanges = nodes.Ids;
        ReadOnlySpan<TextRange> inputs = nodes.Inputs;
        ReadOnlySpan<int> inputStart = nodes.InputStarts;
        ReadOnlySpan<byte> codes = nodes.OpCodes;
        ReadOnlySpan<double> values = nodes.Values;
        EnsureRoom(to, inputStart[to], inputStart[from]);
        int[] edgeNode = EdgeNode!, level = Level!;
        bool[] isRead = IsRead!;
        Array.Clear(isRead, from, to - from); // a node is read only by later ones
        IdTable ids = Ids;
        for (int i = from; i < Math.Min(from + LookAhead, to); i++) PrefetchSlots(nodes, ids, i);

        for (int i = from; i < to; i++)
        {
            if ((i & (CancellationStride - 1)) == 0 && cancellationToken.IsCancellationRequested)
            {
                Resolved = i; // as far as it got: the nodes before i are in the table
                cancellationToken.ThrowIfCancellationRequested();
            }
            if (i + LookAhead < to) PrefetchSlots(nodes, ids, i + LookAhead);
            byte code = codes[i];
            if (code == GraphSpec.UnknownOp || idRanges[i].Length == 0) return Fail(i);
            Op op = OpTable.Get((OpCode)code);
            int start = inputStart[i], end = inputStart[i + 1];
            if (op.IsLeaf)
            {
                bool valueOptional = _inputDefaultsOptional && op.Code == OpCode.Input;
                if (nodes.HasInputs(i) || !(nodes.HasValue(i) ? double.IsFinite(values[i]) : valueOptional)) return Fail(i);
                level[i] = Leaf;
            }
            else
            {
                if (nodes.HasValue(i) || !nodes.HasInputs(i) || !op.AcceptsArity(end - start)) return Fail(i);
                int highest = Leaf;
                for (int e = start; e < end; e++)
                {
                    int input = ids.Find(nodes.Text(inputs[e]), out int inputLevel);
                    if (input < 0) return Fail(i);
                    edgeNode[e] = input;
                    isRead[input] = true;
                    highest = Math.Max(highest, inputLevel);
                }
                level[i] = highest + 1;
                _top = Math.Max(_top, highest + 1);
            }
            if (ids.AddOrFind(i, nodes.Text(idRanges[i]), level[i]) != i) return Fail(i);
        }
        Resolved = to;
        return true;
    }

    private bool Fail(int node)
    {
        Failed = true;
        Resolved = node;
        return false;
    }

    /// <summary>The slots that resolving node <paramref name="i"/> will read: its inputs' and its own.</summary>
    private static void PrefetchSlots(NodesView nodes, IdTable ids, int i)
    {
        ReadOnlySpan<TextRange> inputs = nodes.Inputs;
        ReadOnlySpan<int> inputStart = nodes.InputStarts;
        for (int e = inputStart[i], end = inputStart[i + 1]; e < end; e++) ids.Prefetch(nodes.Text(inputs[e]));
        ids.Prefetch(nodes.Text(nodes.Ids[i]));
    }

    /// <summary>
    /// Room for <paramref name="nodes"/> nodes and <paramref name="edges"/> inputs, keeping what is resolved: the first
    /// <see cref="Resolved"/> nodes and their inputs, the first <paramref name="edgesResolved"/>.
    /// </summary>
    private void EnsureRoom(int nodes, int edges, int edgesResolved)
    {
        if (EdgeNode!.Length < edges) BufferPool<int>.Shared.Grow(ref EdgeNode!, edgesResolved, edges);
        if (Level!.Length < nodes) BufferPool<int>.Shared.Grow(ref Level!, Resolved, nodes);
        if (IsRead!.Length < nodes) BufferPool<bool>.Shared.Grow(ref IsRead!, Resolved, nodes);
    }

    /// <summary>Returns <paramref name="array"/> to the pool, once: it is null after.</summary>
    internal static void GiveBack<T>(ref T[]? array)
    {
        if (array is null) return;
        BufferPool<T>.Shared.Return(array);
        array = null;
    }

    public void Dispose()
    {
        GiveBack(ref EdgeNode);
        GiveBack(ref Level);
        GiveBack(ref IsRead);
    }
}
