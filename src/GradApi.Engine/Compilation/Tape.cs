using GradApi.Engine.Buffers;
using GradApi.Engine.Graphs;
using GradApi.Engine.Ops;

namespace GradApi.Engine.Compilation;

/// <summary>
/// A checked graph, renumbered into evaluation order: position p runs after every position its
/// inputs sit at. Struct of arrays: op codes, leaf values, and each node's inputs as a slice
/// <c>[EdgeStart[p], EdgeStart[p+1])</c> of one shared edge array. Nothing on the evaluation
/// path is an object per node.
/// </summary>
/// <remarks>
/// The arrays are rented from a pool (so they may be longer than <see cref="NodeCount"/> and
/// <see cref="EdgeCount"/>) and go back to it when the tape is disposed, or when the spec it was
/// compiled from is: a tape lives no longer than its spec. One nobody disposes is simply collected.
/// </remarks>
public sealed class Tape : IDisposable
{
    private readonly bool _ownsArrays;

    internal Tape(GraphSpec spec, int nodeCount, int edgeCount, OpCode[] ops, double[] leafValues, int[] edgeStart, int[] edgeInput,
        int[] nodeAt, int[] positionOf, int output, double seed, int maxArity, InferencePlan? inference, bool ownsArrays)
    {
        NodeCount = nodeCount;
        EdgeCount = edgeCount;
        _ownsArrays = ownsArrays;
        Seed = seed;
        Spec = spec;
        Ops = ops;
        LeafValues = leafValues;
        EdgeStart = edgeStart;
        EdgeInput = edgeInput;
        NodeAt = nodeAt;
        PositionOfNode = positionOf;
        Output = output;
        MaxArity = maxArity;
        Inference = inference;
    }

    /// <summary>The graph as the client sent it: ids, op names and the request's order.</summary>
    public GraphSpec Spec { get; }

    public int NodeCount { get; }

    public int EdgeCount { get; }

    /// <summary>Whether <see cref="Dispose"/> has given the arrays back: nothing may read them any more.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>The position of the node that backward differentiates.</summary>
    public int Output { get; }

    /// <summary>The upstream gradient at the output, as the spec had it when compiled.</summary>
    public double Seed { get; }

    /// <summary>The most inputs any node has: the size of the gather buffer.</summary>
    public int MaxArity { get; }

    internal OpCode[] Ops { get; }

    internal double[] LeafValues { get; }

    internal int[] EdgeStart { get; }

    /// <summary>For each edge, the position of the input it reads.</summary>
    internal int[] EdgeInput { get; }

    /// <summary>Position to the node's index in the request.</summary>
    internal int[] NodeAt { get; }

    /// <summary>The node's index in the request to its position.</summary>
    internal int[] PositionOfNode { get; }

    /// <summary>The register plan for inference; null when the tape was compiled for training only.</summary>
    internal InferencePlan? Inference { get; }

    /// <summary>The position at which the request's <paramref name="node"/>-th node is evaluated.</summary>
    public int PositionOf(int node) => PositionOfNode[node];

    /// <summary>The request index of the node at <paramref name="position"/>.</summary>
    public int NodeIndexAt(int position) => NodeAt[position];

    public OpCode OpAt(int position) => Ops[position];

    public string IdAt(int position) => Spec.Id(NodeAt[position]);

    /// <summary>The positions of the inputs of the node at <paramref name="position"/>, in its <c>inputs</c> order.</summary>
    public ReadOnlySpan<int> InputsAt(int position) =>
        EdgeInput.AsSpan(EdgeStart[position], EdgeStart[position + 1] - EdgeStart[position]);

    /// <summary>
    /// The bytes of the tape's arrays at the lengths they were rented at, the inference plan's included (not
    /// its <see cref="Spec"/>'s: see <see cref="GraphSpec.MemoryBytes"/>). What a store that keeps the tape counts it as.
    /// </summary>
    public long MemoryBytes
    {
        get
        {
            long bytes = Ops.LongLength + 8L * LeafValues.LongLength
                + 4L * (EdgeStart.LongLength + EdgeInput.LongLength + NodeAt.LongLength + PositionOfNode.LongLength)
                + 6 * GraphSpec.ArrayOverhead;
            if (Inference is { } plan) bytes += 4L * (plan.OutputSlot.LongLength + plan.EdgeSlot.LongLength) + 2 * GraphSpec.ArrayOverhead;
            return bytes;
        }
    }

    /// <summary>Gives the arrays back to the pool, once, if the tape owns them.</summary>
    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        if (!_ownsArrays) return;
        BufferPool<OpCode>.Shared.Return(Ops);
        BufferPool<double>.Shared.Return(LeafValues);
        BufferPool<int>.Shared.Return(EdgeStart);
        BufferPool<int>.Shared.Return(EdgeInput);
        BufferPool<int>.Shared.Return(NodeAt);
        BufferPool<int>.Shared.Return(PositionOfNode);
        if (Inference is { } plan)
        {
            BufferPool<int>.Shared.Return(plan.OutputSlot);
            BufferPool<int>.Shared.Return(plan.EdgeSlot);
        }
    }
}

/// <summary>
/// Where each value lives during inference. Values sit in a small set of slots; a slot is
/// handed to a new value once the last reader of its old value has run, so the slots in use
/// never exceed the graph's widest cut. The plan is made at compile time: evaluation only
/// follows it.
/// </summary>
internal sealed class InferencePlan(int[] outputSlot, int[] edgeSlot, int slotCount)
{
    /// <summary>For each position, the slot its value is written to.</summary>
    public int[] OutputSlot { get; } = outputSlot;

    /// <summary>For each edge, the slot its input's value is read from.</summary>
    public int[] EdgeSlot { get; } = edgeSlot;

    /// <summary>The most values held at once, counting a value being computed with its inputs.</summary>
    public int SlotCount { get; } = slotCount;
}
