using GradApi.Engine.Batching;
using GradApi.Engine.Buffers;

namespace GradApi.CompiledGraphs;

/// <summary>
/// The values of one evaluation of a registered graph, as <see cref="GraphValuesReader"/> read them: either one
/// point (<see cref="IsBatch"/> false: a value for some inputs) or a batch of <see cref="Size"/> points (each
/// input's values as lanes, or one value broadcast to every point), by input (the index in
/// <see cref="CompiledGraph.InputIds"/>). An input not given keeps its default. The lanes are pooled: disposing
/// gives them back.
/// </summary>
internal sealed class GraphValues : IDisposable
{
    private readonly bool[] _given;
    private readonly double[] _scalars;
    private readonly double[]?[] _lanes;

    public GraphValues(int inputCount, bool isBatch)
    {
        IsBatch = isBatch;
        _given = new bool[inputCount];
        _scalars = new double[inputCount];
        _lanes = new double[inputCount][];
    }

    public bool IsBatch { get; }

    /// <summary>B: the number of points (1 for one point).</summary>
    public int Size { get; internal set; } = 1;

    /// <summary>Batch: the nodes (request indexes) whose grads to answer, or null for every input leaf.</summary>
    public int[]? GradNodes { get; internal set; }

    public BatchReduce Reduce { get; internal set; }

    /// <summary>Whether the request gave <paramref name="input"/> a value (or values).</summary>
    public bool IsGiven(int input) => _given[input];

    /// <summary>The value given to <paramref name="input"/> for every point, when it was given one number.</summary>
    public double Scalar(int input) => _scalars[input];

    /// <summary>The <see cref="Size"/> values given to <paramref name="input"/>, or null when it was given one number (or none).</summary>
    public ReadOnlyMemory<double>? Lanes(int input) =>
        _lanes[input] is { } lanes ? lanes.AsMemory(0, Size) : (ReadOnlyMemory<double>?)null; // not null as an empty Memory

    /// <summary>The batch as the batch engine takes it: each input given, by its node index.</summary>
    public BatchInputs ToBatchInputs(CompiledGraph graph)
    {
        var inputs = new BatchInputs(Size);
        for (int k = 0; k < _given.Length; k++)
        {
            if (!_given[k]) continue;
            if (Lanes(k) is { } lanes) inputs.Set(graph.InputNodes[k], lanes);
            else inputs.Set(graph.InputNodes[k], _scalars[k]);
        }
        return inputs;
    }

    internal void SetScalar(int input, double value)
    {
        _given[input] = true;
        _scalars[input] = value;
    }

    internal void SetLanes(int input, double[] pooled)
    {
        _given[input] = true;
        _lanes[input] = pooled;
    }

    public void Dispose()
    {
        for (int k = 0; k < _lanes.Length; k++)
        {
            if (_lanes[k] is { } lanes) BufferPool<double>.Shared.Return(lanes);
            _lanes[k] = null;
        }
    }
}
