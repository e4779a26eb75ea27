using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace GradApi.Engine.Batching;

/// <summary>
/// The input values of <see cref="Size"/> samples for one tape. An input leaf that is not set keeps
/// the value it was compiled with (its default), in every sample. <c>node</c> is the node's index in
/// the request's order (the <see cref="Graphs.GraphSpec"/> order, as
/// <see cref="Evaluation.EvaluationResult.ValueOf"/> takes it), not a tape position; the engine checks
/// that it names an input leaf. Setting a node again replaces what it had. Reusable through
/// <see cref="Clear"/>; the lanes given are read, not copied, so they must stay as they are until the
/// evaluation has run.
/// </summary>
public sealed class BatchInputs
{
    private readonly List<Entry> _entries = [];

    public BatchInputs(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Size = size;
    }

    /// <summary>The number of samples, B: every sample is one lane of every node.</summary>
    public int Size { get; }

    /// <summary>The same value in every sample (broadcast).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The node index is negative, or the value is not finite.</exception>
    public void Set(int node, double value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(node);
        if (!double.IsFinite(value))
            throw new ArgumentOutOfRangeException(nameof(value), value, $"Node {node}'s value must be a finite number.");
        _entries.Add(new Entry(node, value, default));
    }

    /// <summary>One value per sample: <paramref name="lanes"/>[i] is the node's value in sample i.</summary>
    /// <exception cref="ArgumentException">There are not <see cref="Size"/> lanes, or one is not finite.</exception>
    public void Set(int node, ReadOnlyMemory<double> lanes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(node);
        if (lanes.Length != Size)
            throw new ArgumentException($"Node {node} has {lanes.Length} values; the batch has {Size} samples.", nameof(lanes));
        ReadOnlySpan<double> span = lanes.Span;
        if (!TensorPrimitives.IsFiniteAll(span))
        {
            int lane = IndexOfNonFinite(span);
            throw new ArgumentException($"Node {node}'s value in sample {lane} is not a finite number.", nameof(lanes));
        }
        _entries.Add(new Entry(node, 0, lanes));
    }

    /// <summary>Forgets every value set, keeping the size: ready for the next request.</summary>
    public void Clear() => _entries.Clear();

    /// <summary>What was set, in the order it was set.</summary>
    internal ReadOnlySpan<Entry> Entries => CollectionsMarshal.AsSpan(_entries);

    internal static int IndexOfNonFinite(ReadOnlySpan<double> lanes)
    {
        for (int i = 0; i < lanes.Length; i++)
            if (!double.IsFinite(lanes[i])) return i;
        return -1;
    }

    /// <summary>A node's values: <see cref="Lanes"/>, or <see cref="Value"/> in every lane when there are none.</summary>
    internal readonly record struct Entry(int Node, double Value, ReadOnlyMemory<double> Lanes)
    {
        public bool IsBroadcast => Lanes.IsEmpty;
    }
}
