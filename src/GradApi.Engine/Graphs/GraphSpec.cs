namespace GradApi.Engine.Graphs;

/// <summary>
/// A graph as a client describes it: nodes in the request's order, each with an id, an op name,
/// a leaf value or a list of input ids. Nothing is checked here; <see cref="Compilation.GraphCompiler"/>
/// checks and orders it. Stored as flat lists (one entry per node, one shared list of input ids)
/// so a million-node graph is a handful of arrays, not a million objects.
/// </summary>
public sealed class GraphSpec
{
    private readonly List<string> _ids;
    private readonly List<string> _ops;
    private readonly List<double> _values;
    private readonly List<byte> _flags;
    private readonly List<int> _inputStart;
    private readonly List<string> _inputs;
    private List<string?>? _labels;

    [Flags]
    private enum NodeFlags : byte
    {
        None = 0,
        HasValue = 1,
        HasInputs = 2,
    }

    public GraphSpec(int nodeCapacity = 0, int inputCapacity = 0)
    {
        _ids = new List<string>(nodeCapacity);
        _ops = new List<string>(nodeCapacity);
        _values = new List<double>(nodeCapacity);
        _flags = new List<byte>(nodeCapacity);
        _inputStart = new List<int>(nodeCapacity + 1) { 0 };
        _inputs = new List<string>(inputCapacity);
    }

    public int NodeCount => _ids.Count;

    public int InputCount => _inputs.Count;

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

    /// <summary>Starts a node whose inputs follow as <see cref="AddInput"/> calls, then <see cref="EndNode"/>.</summary>
    public void BeginNode(string id, string op, double? value, string? label = null)
    {
        _ids.Add(id);
        _ops.Add(op);
        _values.Add(value ?? 0);
        _flags.Add((byte)(value.HasValue ? NodeFlags.HasValue : NodeFlags.None));
        if (label is not null)
        {
            _labels ??= [];
            while (_labels.Count < _ids.Count - 1) _labels.Add(null);
            _labels.Add(label);
        }
    }

    /// <summary>Adds one input id to the node begun last.</summary>
    public void AddInput(string input) => _inputs.Add(input);

    /// <summary>Records that the node begun last carries an <c>inputs</c> field (even an empty one).</summary>
    public void MarkInputs() => _flags[^1] |= (byte)NodeFlags.HasInputs;

    public void EndNode() => _inputStart.Add(_inputs.Count);

    public string Id(int node) => _ids[node];

    public string Op(int node) => _ops[node];

    public bool HasValue(int node) => (_flags[node] & (byte)NodeFlags.HasValue) != 0;

    public double Value(int node) => _values[node];

    public bool HasInputs(int node) => (_flags[node] & (byte)NodeFlags.HasInputs) != 0;

    public string? Label(int node) => _labels is not null && node < _labels.Count ? _labels[node] : null;

    /// <summary>Where the inputs of <paramref name="node"/> start in the shared input list.</summary>
    public int InputStart(int node) => _inputStart[node];

    public int InputCountOf(int node) => _inputStart[node + 1] - _inputStart[node];

    /// <summary>The k-th input id of a node.</summary>
    public string Input(int node, int k) => _inputs[_inputStart[node] + k];

    /// <summary>The i-th entry of the shared input list.</summary>
    public string InputAt(int index) => _inputs[index];
}
