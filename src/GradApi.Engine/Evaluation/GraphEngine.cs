using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GradApi.Engine.Buffers;
using GradApi.Engine.Compilation;
using GradApi.Engine.Ops;

namespace GradApi.Engine.Evaluation;

/// <summary>
/// Runs a tape forward and backward. One engine serves one request: it rents its buffers from
/// a pool, reuses them across the evaluations of that request, and gives them back when disposed.
/// Not thread-safe.
/// </summary>
public sealed class GraphEngine : IDisposable
{
    /// <summary>How many nodes run between two looks at the cancellation token.</summary>
    private const int CancellationStride = 4096;

    /// <summary>
    /// How many edges ahead of the node it runs each pass asks for the numbers its edges will read (see <see cref="Prefetch"/>):
    /// about twenty nodes, far enough for a line to arrive from memory in the time those nodes take. 16 to 64 measured alike.
    /// </summary>
    private const int LookAhead = 32;

    private readonly ArrayPool<double> _pool;
    private double[] _values = [];
    private double[] _partials = [];
    private double[] _grads = [];
    private double[] _args = [];

    public GraphEngine() : this(BufferPool<double>.Shared) { }

    public GraphEngine(ArrayPool<double> pool) => _pool = pool;

    public EvaluationResult Evaluate(Tape tape, EvaluationMode mode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tape);
        return Evaluate(tape, mode, tape.LeafValues, cancellationToken);
    }

    /// <summary>
    /// Evaluates <paramref name="tape"/> with its leaves holding <paramref name="leafValues"/> instead of the values it
    /// was compiled with, and without writing to the tape: many engines may so evaluate one shared tape at once, each
    /// at its own point.
    /// </summary>
    /// <param name="tape">The tape, compiled for inference if <paramref name="mode"/> is inference.</param>
    /// <param name="mode">Training or inference.</param>
    /// <param name="leafValues">The value of each leaf by tape position (see <see cref="Tape.PositionOf"/>); what it holds at a gate's position is not read.</param>
    /// <param name="cancellationToken">Checked every few thousand nodes.</param>
    public EvaluationResult Evaluate(Tape tape, EvaluationMode mode, ReadOnlySpan<double> leafValues, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tape);
        ObjectDisposedException.ThrowIf(tape.IsDisposed, tape);
        ArgumentOutOfRangeException.ThrowIfLessThan(leafValues.Length, tape.NodeCount, nameof(leafValues));
        return mode == EvaluationMode.Training
            ? Train(tape, leafValues, cancellationToken)
            : Infer(tape, leafValues, cancellationToken);
    }

    private EvaluationResult Train(Tape tape, ReadOnlySpan<double> leafValues, CancellationToken cancellationToken)
    {
        int n = tape.NodeCount, edges = tape.EdgeCount;
        double[] values = Rent(ref _values, n);
        double[] partials = Rent(ref _partials, edges);
        double[] grads = Rent(ref _grads, n);
        Rent(ref _args, tape.MaxArity);
        var stats = new EvaluationStats(n, edges, edges, n);

        long start = Stopwatch.GetTimestamp();
        NumericError? error = Forward<Training>(tape, leafValues, tape.EdgeInput, null, values, partials, cancellationToken);
        long forwardEnd = Stopwatch.GetTimestamp();
        error ??= Backward(tape, values, partials, grads, cancellationToken);
        return new EvaluationResult(tape, EvaluationMode.Training, values[tape.Output], values, grads, stats, error)
        {
            ForwardTime = Stopwatch.GetElapsedTime(start, forwardEnd),
            BackwardTime = Stopwatch.GetElapsedTime(forwardEnd),
        };
    }

    private EvaluationResult Infer(Tape tape, ReadOnlySpan<double> leafValues, CancellationToken cancellationToken)
    {
        InferencePlan plan = tape.Inference
            ?? throw new InvalidOperationException("The tape was not compiled for inference.");
        double[] slots = Rent(ref _values, plan.SlotCount);
        Rent(ref _args, tape.MaxArity);
        var stats = new EvaluationStats(tape.NodeCount, tape.EdgeCount, 0, plan.SlotCount);

        long start = Stopwatch.GetTimestamp();
        NumericError? error = Forward<Inference>(tape, leafValues, plan.EdgeSlot, plan.OutputSlot, slots, null, cancellationToken);
        return new EvaluationResult(tape, EvaluationMode.Inference, slots[plan.OutputSlot[tape.Output]], null, null, stats, error)
        {
            ForwardTime = Stopwatch.GetElapsedTime(start),
        };
    }

    /// <summary>What the forward pass is run for: the JIT compiles <see cref="Forward"/> once for each, with the other's branches gone.</summary>
    private struct Training;

    /// <inheritdoc cref="Training"/>
    private struct Inference;

    /// <summary>
    /// Runs every node in tape order: a leaf takes its value from <paramref name="leafValues"/>; a gate reads its inputs' values through <paramref name="edgeRead"/>,
    /// applies the op's forward rule, and (training) writes each edge's local gradient.
    /// Values are stored by position (training), or by slot from <paramref name="outputSlot"/> (inference).
    /// Gates of one or two inputs, nearly all of them, go through <see cref="OpTable"/>'s switches
    /// on scalars; wider ones gather their inputs and call the op's rules.
    /// </summary>
    private NumericError? Forward<TMode>(Tape tape, ReadOnlySpan<double> leafValues, int[] edgeRead, int[]? outputSlot, double[] store,
        double[]? partials, CancellationToken cancellationToken)
        where TMode : struct
    {
        bool training = typeof(TMode) == typeof(Training);
        OpCode[] ops = tape.Ops;
        int[] edgeStart = tape.EdgeStart;
        int lastEdge = tape.EdgeCount - 1;
        for (int p = 0; p < tape.NodeCount; p++)
        {
            if ((p & (CancellationStride - 1)) == 0) cancellationToken.ThrowIfCancellationRequested();
            if (lastEdge >= 0) PrefetchReads(store, edgeRead, Math.Min(edgeStart[p] + LookAhead, lastEdge), lastEdge);
            int target = training ? p : outputSlot![p];
            OpCode code = ops[p];
            if (code <= OpCode.Const)
            {
                store[target] = leafValues[p];
                continue;
            }

            int start = edgeStart[p], count = edgeStart[p + 1] - start;
            double y;
            if (count == 1)
            {
                double a = store[edgeRead[start]];
                y = training ? OpTable.Train1(code, a, out partials![start]) : OpTable.Forward1(code, a);
            }
            else if (count == 2)
            {
                double a = store[edgeRead[start]], b = store[edgeRead[start + 1]];
                y = training ? OpTable.Train2(code, a, b, out partials![start], out partials[start + 1]) : OpTable.Forward2(code, a, b);
            }
            else
            {
                Span<double> x = Gather(edgeRead, start, count, store);
                Op op = OpTable.Get(code);
                y = op.Forward(x);
                if (training) op.LocalGradient(x, y, partials.AsSpan(start, count));
            }

            if (!double.IsFinite(y)) return NumericFailure(tape, p, Pass.Forward, y, Gather(edgeRead, start, count, store));
            store[target] = y;
        }
        return null;
    }

    /// <summary>
    /// Asks for what edge <paramref name="edge"/> and the next one read: two edges for each node run, as the nodes
    /// have one or two inputs nearly all, so that the look-ahead keeps pace with the edges. No bounds are checked:
    /// both edges are clamped to the tape's, and a prefetch reads nothing, so its address needs none.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchReads(double[] numbers, int[] edgeRead, int edge, int lastEdge)
    {
        ref double first = ref MemoryMarshal.GetArrayDataReference(numbers);
        ref int reads = ref MemoryMarshal.GetArrayDataReference(edgeRead);
        Prefetch.Line(ref Unsafe.Add(ref first, Unsafe.Add(ref reads, edge)));
        Prefetch.Line(ref Unsafe.Add(ref first, Unsafe.Add(ref reads, Math.Min(edge + 1, lastEdge))));
    }

    /// <summary>The values of one node's inputs, in the engine's gather buffer.</summary>
    private Span<double> Gather(int[] edgeRead, int start, int count, double[] store)
    {
        Span<double> x = _args.AsSpan(0, count);
        for (int k = 0; k < count; k++) x[k] = store[edgeRead[start + k]];
        return x;
    }

    /// <summary>
    /// The chain rule as one loop that knows no op: in reverse tape order, each node's grad is
    /// complete (all its readers ran before it), and flows to each input as grad * local, added
    /// to what that input already has from other branches. The first sum that is not finite
    /// stops the pass, naming the gate that sent it and the input it went to.
    /// </summary>
    /// <remarks>
    /// The loop reads the arrays through references, without bounds checks: every edge it visits lies below the
    /// tape's edge count and every input below its node count, as the compiler made them, and the checks cost a
    /// fifth of the pass on a large graph. A node's edges end where the next node's begin, so each is read once.
    /// </remarks>
    private static NumericError? Backward(Tape tape, double[] values, double[] partials, double[] grads,
        CancellationToken cancellationToken)
    {
        int[] edgeStart = tape.EdgeStart;
        int[] edgeInput = tape.EdgeInput;
        int n = tape.NodeCount, lastEdge = tape.EdgeCount - 1;
        Array.Clear(grads, 0, n);
        grads[tape.Output] = tape.Seed;
        ref double gradOf = ref MemoryMarshal.GetArrayDataReference(grads);
        ref double localOf = ref MemoryMarshal.GetArrayDataReference(partials);
        ref int inputOf = ref MemoryMarshal.GetArrayDataReference(edgeInput);
        int end = tape.EdgeCount;
        for (int p = n - 1; p >= 0; end = edgeStart[p], p--)
        {
            if ((p & (CancellationStride - 1)) == 0) cancellationToken.ThrowIfCancellationRequested();
            int start = edgeStart[p];
            if (lastEdge >= 0) PrefetchReads(grads, edgeInput, Math.Max(start - LookAhead, 0), lastEdge);
            double grad = Unsafe.Add(ref gradOf, p);
            if (grad == 0) continue; // nothing flows back, not even 0 * infinity
            for (int e = start; e < end; e++)
            {
                int input = Unsafe.Add(ref inputOf, e);
                ref double inputGrad = ref Unsafe.Add(ref gradOf, input);
                double sum = inputGrad + grad * Unsafe.Add(ref localOf, e);
                if (!double.IsFinite(sum)) return BackwardFailure(tape, p, input, sum, values);
                inputGrad = sum;
            }
        }
        return null;
    }

    /// <summary>
    /// Kept out of <see cref="Backward"/>: the lambda's closure would otherwise be allocated on every
    /// call of it, failing or not.
    /// </summary>
    private static NumericError BackwardFailure(Tape tape, int position, int input, double sum, double[] values)
    {
        double[] inputs = tape.InputsAt(position).ToArray().Select(i => values[i]).ToArray();
        return NumericFailure(tape, position, Pass.Backward, sum, inputs) with { Input = tape.IdAt(input) };
    }

    private static NumericError NumericFailure(Tape tape, int position, Pass pass, double result, ReadOnlySpan<double> inputs)
    {
        int node = tape.NodeIndexAt(position);
        return new NumericError(node, tape.Spec.Id(node), OpTable.Get(tape.OpAt(position)).Name, pass, result, inputs.ToArray());
    }

    /// <summary>
    /// The local gradients the last training run cached, one per edge of its
    /// <paramref name="tape"/>, in edge order (for explain). Valid until the next evaluation.
    /// </summary>
    internal ReadOnlySpan<double> CachedPartials(Tape tape) => _partials.AsSpan(0, tape.EdgeCount);

    private double[] Rent(ref double[] buffer, int length)
    {
        if (buffer.Length >= length) return buffer;
        if (buffer.Length > 0) _pool.Return(buffer);
        buffer = _pool.Rent(Math.Max(length, 1));
        return buffer;
    }

    public void Dispose()
    {
        foreach (double[] buffer in new[] { _values, _partials, _grads, _args })
            if (buffer.Length > 0) _pool.Return(buffer);
        _values = _partials = _grads = _args = [];
    }
}
