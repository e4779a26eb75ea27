using System.Text;
using GradApi.Engine.Buffers;
using GradApi.Engine.Ops;

namespace GradApi.Engine.Graphs;

/// <summary>
/// A graph as a client describes it: nodes in the request's order, each with an id, an op, a leaf
/// value or a list of input ids. Nothing is checked here; <see cref="Compilation.GraphCompiler"/>
/// checks and orders it. Stored as flat arrays rented from a pool, so a million-node graph is a
/// handful of arrays, not a million objects: the ids and input ids as UTF-8 bytes back to back in
/// one text arena with a (start, length) range each, the op as its code. Strings are made only
/// when asked for (<see cref="Id"/>, <see cref="Input"/>): for errors, explain and the like.
/// </summary>
/// <remarks>
/// Dispose gives the arrays back to the pool; a spec nobody disposes is simply collected.
/// Nodes are added with <see cref="BeginNode(string, string, double?, string?)"/> (or its UTF-8
/// form), their inputs with <see cref="AddInput(string)"/>, then <see cref="EndNode"/>; the inputs
/// of a node may be added before or after its BeginNode, as long as it is before its EndNode.
/// <para>
/// One other thread may read the nodes added so far while the spec grows (<see cref="Compilation.CompileAhead"/>): the
/// writer calls <see cref="ShareWhileGrowing"/> first and tells the reader how many nodes it has added with a release;
/// the reader reads them through <see cref="View"/> after an acquire. A grow then keeps the arrays it replaces until
/// <see cref="EndSharing"/>, for the reader may still be reading them.
/// </para>
/// </remarks>
public sealed class GraphSpec : IDisposable
{
    /// <summary>The op code of a node whose op name is not in <see cref="OpTable"/>.</summary>
    internal const byte UnknownOp = byte.MaxValue;

    private byte[] _text;
    private int _textLength;
    private int _textAtLastEnd;
    private TextRange[] _ids;
    private byte[] _ops;
    private double[] _values;
    private byte[] _flags;
    private int[] _inputStart;
    private TextRange[] _inputs;
    private int _nodeCount;
    private int _inputCount;
    private bool _begun;
    private Dictionary<int, string>? _unknownOps;
    private List<string?>? _labels;
    private List<IDisposable>? _owned;

    /// <summary>While another thread may read the spec: how to give back each array a grow replaced.</summary>
    private List<Action>? _retired;

    [Flags]
    private enum NodeFlags : byte
    {
        None = 0,
        HasValue = 1,
        HasInputs = 2,
    }

    internal const byte HasValueFlag = (byte)NodeFlags.HasValue;
    internal const byte HasInputsFlag = (byte)NodeFlags.HasInputs;

    /// <param name="nodeCapacity">How many nodes to make room for at first; the arrays grow as needed.</param>
    /// <param name="inputCapacity">How many inputs, all nodes together.</param>
    /// <param name="textCapacity">How many bytes of ids and input ids.</param>
    public GraphSpec(int nodeCapacity = 0, int inputCapacity = 0, int textCapacity = 0)
    {
        nodeCapacity = Math.Max(nodeCapacity, 16);
        inputCapacity = Math.Max(inputCapacity, 16);
        _text = BufferPool<byte>.Shared.Rent(Math.Max(textCapacity, 8 * (nodeCapacity + inputCapacity)));
        _ids = BufferPool<TextRange>.Shared.Rent(nodeCapacity);
        _ops = BufferPool<byte>.Shared.Rent(nodeCapacity);
        _values = BufferPool<double>.Shared.Rent(nodeCapacity);
        _flags = BufferPool<byte>.Shared.Rent(nodeCapacity);
        _inputStart = BufferPool<int>.Shared.Rent(nodeCapacity + 1);
        _inputStart[0] = 0;
        _inputs = BufferPool<TextRange>.Shared.Rent(inputCapacity);
    }

    public int NodeCount => _nodeCount;

    public int InputCount => _inputCount;

    /// <summary>The id of the node to differentiate; null to use the graph's only sink.</summary>
    public string? Output { get; set; }

    /// <summary>The upstream gradient at the output.</summary>
    public double Seed { get; set; } = 1;

    /// <summary>Adds a node. <paramref name="inputs"/> null means the node has no <c>inputs</c> field.</summary>
    public void AddNode(string id, string op, double? value, IReadOnlyList<string>? inputs, string? label = null)
    {
        BeginNode(id, op, value, label);
        if (inputs is not null)
        {
            foreach (string input in inputs) AddInput(input);
            MarkInputs();
        }
        EndNode();
    }

    /// <summary>Starts a node whose inputs follow as <see cref="AddInput(string)"/> calls, then <see cref="EndNode"/>.</summary>
    public void BeginNode(string id, string op, double? value, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(op);
        TextRange range = AddText(id);
        byte code = OpTable.TryGet(op, out Op? known) ? (byte)known.Code : UnknownOp;
        Begin(range, code, code == UnknownOp ? op : null, value, label);
    }

    /// <summary>
    /// <see cref="BeginNode(string, string, double?, string?)"/> with the id and op name as UTF-8
    /// bytes (valid UTF-8: the caller checks), as a JSON reader has them.
    /// </summary>
    public void BeginNode(ReadOnlySpan<byte> id, ReadOnlySpan<byte> op, double? value, string? label = null)
    {
        TextRange range = AddText(id);
        byte code = OpTable.TryGet(op, out Op? known) ? (byte)known.Code : UnknownOp;
        Begin(range, code, code == UnknownOp ? Encoding.UTF8.GetString(op) : null, value, label);
    }

    private void Begin(TextRange id, byte op, string? unknownOp, double? value, string? label)
    {
        if (_begun) throw new InvalidOperationException("The node begun last has not ended.");
        int node = _nodeCount;
        if (node == NodeCapacity) GrowNodes();
        _begun = true;
        _ids[node] = id;
        _ops[node] = op;
        if (unknownOp is not null) (_unknownOps ??= [])[node] = unknownOp;
        _values[node] = value ?? 0;
        _flags[node] = (byte)(value.HasValue ? NodeFlags.HasValue : NodeFlags.None);
        if (label is not null)
        {
            _labels ??= [];
            while (_labels.Count < node) _labels.Add(null);
            _labels.Add(label);
        }
    }

    /// <summary>Adds one input id to the node being built.</summary>
    public void AddInput(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        AddInputRange(AddText(input));
    }

    /// <summary>Adds one input id, as valid UTF-8 bytes, to the node being built.</summary>
    public void AddInput(ReadOnlySpan<byte> input) => AddInputRange(AddText(input));

    private void AddInputRange(TextRange range)
    {
        if (_inputCount == _inputs.Length) Grow(ref _inputs, _inputCount, _inputCount + 1);
        _inputs[_inputCount++] = range;
    }

    /// <summary>Records that the node begun last carries an <c>inputs</c> field (even an empty one).</summary>
    public void MarkInputs()
    {
        if (!_begun) throw new InvalidOperationException("No node has begun.");
        _flags[_nodeCount] |= (byte)NodeFlags.HasInputs;
    }

    public void EndNode()
    {
        if (!_begun) throw new InvalidOperationException("No node has begun.");
        _begun = false;
        _inputStart[++_nodeCount] = _inputCount;
        _textAtLastEnd = _textLength;
    }

    /// <summary>
    /// Forgets the node being built, begun or not: its inputs, its label and the text they took. A reader of a body
    /// that arrives in pieces reads a node again from its start when a piece ended inside it.
    /// </summary>
    public void DiscardPartialNode()
    {
        int node = _nodeCount;
        if (_begun)
        {
            _unknownOps?.Remove(node);
            if (_labels is not null && _labels.Count > node) _labels.RemoveRange(node, _labels.Count - node);
            _begun = false;
        }
        _inputCount = _inputStart[node];
        _textLength = _textAtLastEnd;
    }

    /// <summary>The id of a node, made into a string on each call.</summary>
    public string Id(int node) => Encoding.UTF8.GetString(IdUtf8(node));

    /// <summary>The id of a node as the UTF-8 bytes it was sent as (unescaped).</summary>
    /// <remarks>Reads the ids array and the node count apart, not as one span, so that a reader on another thread may call it
    /// for any node it has been told of while the spec grows (see <see cref="ShareWhileGrowing"/>).</remarks>
    public ReadOnlySpan<byte> IdUtf8(int node) =>
        (uint)node < (uint)_nodeCount ? Text(_ids[node]) : throw new ArgumentOutOfRangeException(nameof(node));

    public string Op(int node) => _ops[node] == UnknownOp ? _unknownOps![node] : OpTable.Get((OpCode)_ops[node]).Name;

    public bool HasValue(int node) => (Flags[node] & (byte)NodeFlags.HasValue) != 0;

    public double Value(int node) => Values[node];

    public bool HasInputs(int node) => (Flags[node] & (byte)NodeFlags.HasInputs) != 0;

    public string? Label(int node) => _labels is not null && node < _labels.Count ? _labels[node] : null;

    /// <summary>Where the inputs of <paramref name="node"/> start in the shared input list.</summary>
    public int InputStart(int node) => InputStarts[node];

    public int InputCountOf(int node) => InputStarts[node + 1] - InputStarts[node];

    /// <summary>The k-th input id of a node, made into a string on each call.</summary>
    public string Input(int node, int k) => InputAt(InputStart(node) + k);

    /// <summary>The i-th entry of the shared input list, made into a string on each call.</summary>
    public string InputAt(int index) => Encoding.UTF8.GetString(InputUtf8(index));

    /// <summary>The i-th entry of the shared input list as UTF-8 bytes.</summary>
    public ReadOnlySpan<byte> InputUtf8(int index) => Text(Inputs[index]);

    /// <summary>Each node's op code, <see cref="UnknownOp"/> where the name is not an op.</summary>
    internal ReadOnlySpan<byte> OpCodes => _ops.AsSpan(0, _nodeCount);

    internal ReadOnlySpan<TextRange> Ids => _ids.AsSpan(0, _nodeCount);

    internal ReadOnlySpan<TextRange> Inputs => _inputs.AsSpan(0, _inputCount);

    /// <summary>Where each node's inputs start in <see cref="Inputs"/>, and one past the last node's end.</summary>
    internal ReadOnlySpan<int> InputStarts => _inputStart.AsSpan(0, _nodeCount + 1);

    internal ReadOnlySpan<double> Values => _values.AsSpan(0, _nodeCount);

    private ReadOnlySpan<byte> Flags => _flags.AsSpan(0, _nodeCount);

    /// <summary>The bytes of one range of the text arena.</summary>
    internal ReadOnlySpan<byte> Text(TextRange range) => _text.AsSpan(range.Start, range.Length);

    /// <summary>
    /// The first <paramref name="nodes"/> nodes, over the arrays as they are now: what a reader on another thread reads
    /// while the spec grows, once told (with an acquire) that <paramref name="nodes"/> nodes were added. Each array is
    /// read once, so the view's spans hold together, and a grow leaves them valid (see <see cref="ShareWhileGrowing"/>).
    /// </summary>
    internal NodesView View(int nodes)
    {
        int[] inputStart = _inputStart;
        ReadOnlySpan<int> starts = inputStart.AsSpan(0, nodes + 1);
        return new NodesView(_ids.AsSpan(0, nodes), _ops.AsSpan(0, nodes), _values.AsSpan(0, nodes), _flags.AsSpan(0, nodes), starts,
            _inputs.AsSpan(0, starts[nodes]), _text);
    }

    /// <summary>
    /// From now on a grow keeps the arrays it replaces instead of giving them back to the pool, and the arrays it puts in
    /// their place are published with a release: for a reader on another thread (see <see cref="View"/>) until <see cref="EndSharing"/>.
    /// </summary>
    internal void ShareWhileGrowing() => _retired ??= [];

    /// <summary>Whether it is shared now (<see cref="ShareWhileGrowing"/>).</summary>
    internal bool IsShared => _retired is not null;

    /// <summary>No other thread reads the spec any more: the arrays grows replaced go back to the pool.</summary>
    internal void EndSharing()
    {
        if (_retired is null) return;
        foreach (Action giveBack in _retired) giveBack();
        _retired = null;
    }

    private TextRange AddText(ReadOnlySpan<byte> utf8)
    {
        if (_text.Length - _textLength < utf8.Length) Grow(ref _text, _textLength, _textLength + utf8.Length);
        utf8.CopyTo(_text.AsSpan(_textLength));
        var range = new TextRange(_textLength, utf8.Length);
        _textLength += utf8.Length;
        return range;
    }

    private TextRange AddText(string text)
    {
        int most = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_text.Length - _textLength < most) Grow(ref _text, _textLength, _textLength + most);
        int length = Encoding.UTF8.GetBytes(text, _text.AsSpan(_textLength));
        var range = new TextRange(_textLength, length);
        _textLength += length;
        return range;
    }

    /// <summary>
    /// How many nodes fit before the per-node arrays must grow. The pool rounds each rent up on its
    /// own, so the arrays' lengths differ (<c>_inputStart</c> holds one more than the node count):
    /// the shortest decides.
    /// </summary>
    private int NodeCapacity =>
        Math.Min(Math.Min(Math.Min(_ids.Length, _ops.Length), Math.Min(_values.Length, _flags.Length)), _inputStart.Length - 1);

    /// <summary>Grows whichever per-node arrays are full.</summary>
    private void GrowNodes()
    {
        int n = _nodeCount;
        if (_ids.Length <= n) Grow(ref _ids, n, n + 1);
        if (_ops.Length <= n) Grow(ref _ops, n, n + 1);
        if (_values.Length <= n) Grow(ref _values, n, n + 1);
        if (_flags.Length <= n) Grow(ref _flags, n, n + 1);
        if (_inputStart.Length <= n + 1) Grow(ref _inputStart, n + 1, n + 2);
    }

    /// <summary>
    /// Swaps <paramref name="array"/> for a pooled one at least twice as large, keeping its first <paramref name="used"/> items;
    /// the old one goes back to the pool, or while the spec is shared (<see cref="ShareWhileGrowing"/>) waits to.
    /// </summary>
    private void Grow<T>(ref T[] array, int used, int needed)
    {
        T[] old = array;
        T[] larger = BufferPool<T>.Shared.Rent((int)Math.Min(Math.Max(2L * old.Length, needed), Array.MaxLength));
        old.AsSpan(0, used).CopyTo(larger);
        // A reader that sees the new array sees what was copied into it.
        Volatile.Write(ref array, larger);
        if (_retired is not null) _retired.Add(() => BufferPool<T>.Shared.Return(old));
        else BufferPool<T>.Shared.Return(old);
    }

    /// <summary>
    /// The bytes the spec holds: its arrays at the lengths they were rented at (often more than the graph needs:
    /// the pool rounds up), and its labels' strings. What a store that keeps the spec counts it as.
    /// </summary>
    public long MemoryBytes
    {
        get
        {
            long bytes = _text.LongLength + _ops.LongLength + _flags.LongLength + 8L * _values.LongLength
                + 4L * _inputStart.LongLength + 8L * (_ids.LongLength + _inputs.LongLength) + 7 * ArrayOverhead;
            if (_labels is not null)
                foreach (string? label in _labels) bytes += 8 + (label is null ? 0 : ArrayOverhead + 2L * label.Length);
            return bytes;
        }
    }

    /// <summary>What the runtime adds to each array or string: its header and length.</summary>
    internal const int ArrayOverhead = 24;

    /// <summary>Ties <paramref name="owned"/> (a tape compiled from this spec) to the spec's lifetime.</summary>
    internal void DisposeWith(IDisposable owned) => (_owned ??= []).Add(owned);

    /// <summary>Gives the arrays back to the pool. The spec, and any tape compiled from it, must not be used after.</summary>
    public void Dispose()
    {
        if (_owned is not null)
        {
            foreach (IDisposable owned in _owned) owned.Dispose();
            _owned = null;
        }
        EndSharing();
        if (_ids.Length == 0) return;
        BufferPool<byte>.Shared.Return(_text);
        BufferPool<TextRange>.Shared.Return(_ids);
        BufferPool<byte>.Shared.Return(_ops);
        BufferPool<double>.Shared.Return(_values);
        BufferPool<byte>.Shared.Return(_flags);
        BufferPool<int>.Shared.Return(_inputStart);
        BufferPool<TextRange>.Shared.Return(_inputs);
        _text = _ops = _flags = [];
        _ids = _inputs = [];
        _values = [];
        _inputStart = [0];
        _nodeCount = _inputCount = _textLength = _textAtLastEnd = 0;
    }
}

/// <summary>Where one id sits in a <see cref="GraphSpec"/>'s text arena.</summary>
internal readonly record struct TextRange(int Start, int Length);

/// <summary>The first nodes of a <see cref="GraphSpec"/> as spans over its arrays (<see cref="GraphSpec.View"/>).</summary>
internal readonly ref struct NodesView(ReadOnlySpan<TextRange> ids, ReadOnlySpan<byte> opCodes, ReadOnlySpan<double> values,
    ReadOnlySpan<byte> flags, ReadOnlySpan<int> inputStarts, ReadOnlySpan<TextRange> inputs, ReadOnlySpan<byte> text)
{
    public ReadOnlySpan<TextRange> Ids { get; } = ids;

    public ReadOnlySpan<byte> OpCodes { get; } = opCodes;

    public ReadOnlySpan<double> Values { get; } = values;

    /// <summary>Where each node's inputs start in <see cref="Inputs"/>, and one past the last node's end.</summary>
    public ReadOnlySpan<int> InputStarts { get; } = inputStarts;

    public ReadOnlySpan<TextRange> Inputs { get; } = inputs;

    private readonly ReadOnlySpan<byte> _flags = flags;
    private readonly ReadOnlySpan<byte> _text = text;

    public int NodeCount => OpCodes.Length;

    public bool HasValue(int node) => (_flags[node] & GraphSpec.HasValueFlag) != 0;

    public bool HasInputs(int node) => (_flags[node] & GraphSpec.HasInputsFlag) != 0;

    /// <summary>The bytes of one range of the text arena.</summary>
    public ReadOnlySpan<byte> Text(TextRange range) => _text.Slice(range.Start, range.Length);
}
