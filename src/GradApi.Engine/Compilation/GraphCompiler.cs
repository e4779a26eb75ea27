using System.Globalization;
using System.Text;
using GradApi.Engine.Buffers;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Ops;

namespace GradApi.Engine.Compilation;

/// <summary>
/// Checks a <see cref="GraphSpec"/> and turns it into a <see cref="Tape"/>: ids resolved to
/// positions, the graph put in evaluation order with Kahn's algorithm, and for inference a plan
/// of where each value lives. Errors come back as values naming the node and its JSON path.
/// A valid graph whose every input names an earlier node, as clients nearly always send one, takes
/// <see cref="OrderedBody"/>'s shorter path to the same tape; any other graph, or any error, this one.
/// Nothing here recurses, so a chain a million nodes deep is as easy as a wide one. Stateless.
/// </summary>
public sealed class GraphCompiler
{
    /// <summary>The most errors listed for one graph; the rest are only counted.</summary>
    public const int MaxReportedErrors = 100;

    /// <summary>How many nodes are checked between two looks at the cancellation token, as in the engine.</summary>
    private const int CancellationStride = 4096;

    /// <param name="spec">The graph.</param>
    /// <param name="mode">Inference also plans where each value lives; a tape compiled for inference runs in training too.</param>
    /// <param name="cancellationToken">Looked at every few thousand nodes and between the stages, so that a request
    /// abandoned or out of time stops compiling a million-node graph as it would stop evaluating one.</param>
    public CompileResult Compile(GraphSpec spec, EvaluationMode mode = EvaluationMode.Training, CancellationToken cancellationToken = default) =>
        Compile(spec, mode, inputDefaultsOptional: false, cancellationToken);

    /// <inheritdoc cref="Compile(GraphSpec, EvaluationMode, CancellationToken)"/>
    /// <param name="spec">The graph.</param>
    /// <param name="mode">Inference also plans where each value lives; a tape compiled for inference runs in training too.</param>
    /// <param name="inputDefaultsOptional">
    /// Whether an <c>input</c> leaf may come without a value: a graph registered to be evaluated many times, whose
    /// inputs' values are defaults that each evaluation may replace. Such an input's value on the tape is 0, and the
    /// caller must supply one before evaluating. A <c>const</c> always needs its value.
    /// </param>
    /// <param name="cancellationToken">As above.</param>
    public CompileResult Compile(GraphSpec spec, EvaluationMode mode, bool inputDefaultsOptional, CancellationToken cancellationToken = default) =>
        Compile(spec, mode, inputDefaultsOptional, orderedBody: true, cancellationToken);

    /// <inheritdoc cref="Compile(GraphSpec, EvaluationMode, bool, CancellationToken)"/>
    /// <param name="spec">The graph.</param>
    /// <param name="mode">As above.</param>
    /// <param name="inputDefaultsOptional">As above.</param>
    /// <param name="orderedBody">
    /// Whether a graph whose every input names an earlier node takes <see cref="OrderedBody"/>'s path; false
    /// to compile any graph the general way (the tests compare the two tapes).
    /// </param>
    /// <param name="cancellationToken">As above.</param>
    internal CompileResult Compile(GraphSpec spec, EvaluationMode mode, bool inputDefaultsOptional, bool orderedBody,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new ErrorList();
        int n = spec.NodeCount;
        if (n == 0)
        {
            errors.Add(new(GraphErrorKind.EmptyGraph, "nodes", null, "The graph has no nodes."));
            return errors.Fail();
        }

        using var ids = new IdTable(spec, n);
        if (orderedBody)
        {
            if (OrderedBody.TryCompile(spec, ids, mode, inputDefaultsOptional, cancellationToken) is { } tape)
                return CompileResult.Success(tape);
            ids.Clear(); // the general path adds the ids again, from the first
        }

        int[] edgeNode = BufferPool<int>.Shared.Rent(spec.InputCount);
        try
        {
            CheckNodes(spec, ids, errors, inputDefaultsOptional, cancellationToken);
            ResolveInputs(spec, ids, edgeNode, errors, cancellationToken);
            int output = ResolveOutput(spec, edgeNode.AsSpan(0, spec.InputCount), ids, errors);
            if (!double.IsFinite(spec.Seed))
                errors.Add(new(GraphErrorKind.NonFiniteSeed, "seed", null, "The seed must be a finite number."));
            if (errors.Count > 0) return errors.Fail();

            cancellationToken.ThrowIfCancellationRequested();
            int[]? nodeAt = Order(spec, edgeNode, errors);
            if (nodeAt is null) return errors.Fail();
            cancellationToken.ThrowIfCancellationRequested();
            return CompileResult.Success(BuildTape(spec, edgeNode, nodeAt, output, mode));
        }
        finally
        {
            BufferPool<int>.Shared.Return(edgeNode);
        }
    }

    /// <summary>Ids, ops, arity and leaf values, in one pass over the nodes.</summary>
    private static void CheckNodes(GraphSpec spec, IdTable ids, ErrorList errors, bool inputDefaultsOptional, CancellationToken cancellationToken)
    {
        ReadOnlySpan<TextRange> idRanges = spec.Ids;
        ReadOnlySpan<byte> codes = spec.OpCodes;
        for (int i = 0; i < codes.Length; i++)
        {
            if ((i & (CancellationStride - 1)) == 0) cancellationToken.ThrowIfCancellationRequested();
            if (idRanges[i].Length == 0)
            {
                errors.Add(new(GraphErrorKind.EmptyId, $"nodes[{i}].id", "", $"nodes[{i}] has an empty id."));
            }
            else if (ids.AddOrFind(i) is int first && first != i)
            {
                string id = spec.Id(i);
                errors.Add(new(GraphErrorKind.DuplicateId, $"nodes[{i}].id", id,
                    $"Node id '{id}' is used twice: by nodes[{first}] and nodes[{i}]."));
            }

            if (codes[i] == GraphSpec.UnknownOp)
            {
                string id = spec.Id(i);
                errors.Add(new(GraphErrorKind.UnknownOp, $"nodes[{i}].op", id,
                    $"Node '{id}' has unknown op '{spec.Op(i)}'. Known ops: {string.Join(", ", OpTable.Names)}."));
                continue;
            }

            Op op = OpTable.Get((OpCode)codes[i]);
            if (op.IsLeaf)
                CheckLeaf(spec, i, op, errors, inputDefaultsOptional && op.Code == OpCode.Input);
            else
                CheckGate(spec, i, op, errors);
        }
    }

    private static void CheckLeaf(GraphSpec spec, int i, Op op, ErrorList errors, bool valueOptional)
    {
        if (!spec.HasInputs(i) && (spec.HasValue(i) ? double.IsFinite(spec.Value(i)) : valueOptional)) return;
        string id = spec.Id(i);
        if (spec.HasInputs(i))
            errors.Add(new(GraphErrorKind.InputsOnLeaf, $"nodes[{i}].inputs", id,
                $"Node '{id}' is a {op.Name} leaf and takes no inputs."));
        if (!spec.HasValue(i) && !valueOptional)
            errors.Add(new(GraphErrorKind.MissingValue, $"nodes[{i}].value", id,
                $"Node '{id}' is a {op.Name} leaf and needs a value."));
        else if (spec.HasValue(i) && !double.IsFinite(spec.Value(i)))
            errors.Add(new(GraphErrorKind.NonFiniteValue, $"nodes[{i}].value", id,
                $"Node '{id}' has a value that is not a finite number."));
    }

    private static void CheckGate(GraphSpec spec, int i, Op op, ErrorList errors)
    {
        int count = spec.InputCountOf(i);
        if (!spec.HasValue(i) && spec.HasInputs(i) && op.AcceptsArity(count)) return;
        string id = spec.Id(i);
        if (spec.HasValue(i))
            errors.Add(new(GraphErrorKind.ValueOnNonLeaf, $"nodes[{i}].value", id,
                $"Node '{id}' is a {op.Name} gate: its value is computed, so it takes no value."));
        if (!spec.HasInputs(i))
            errors.Add(new(GraphErrorKind.WrongArity, $"nodes[{i}].inputs", id,
                $"Node '{id}' is a {op.Name} gate and needs inputs ({op.Arity})."));
        else if (!op.AcceptsArity(count))
            errors.Add(new(GraphErrorKind.WrongArity, $"nodes[{i}].inputs", id,
                $"Node '{id}': op {op.Name} takes {op.Arity} inputs, not {count}."));
    }

    /// <summary>For each entry of the shared input list, the index of the node it names (-1 if none).</summary>
    private static void ResolveInputs(GraphSpec spec, IdTable ids, int[] edgeNode, ErrorList errors, CancellationToken cancellationToken)
    {
        ReadOnlySpan<TextRange> inputs = spec.Inputs;
        ReadOnlySpan<int> inputStart = spec.InputStarts;
        for (int e = 0; e < inputs.Length; e++)
        {
            if ((e & (CancellationStride - 1)) == 0) cancellationToken.ThrowIfCancellationRequested();
            edgeNode[e] = ids.Find(spec.Text(inputs[e]));
        }

        // Unknown inputs are rare: only then look for the nodes that name them.
        if (edgeNode.AsSpan(0, inputs.Length).IndexOf(-1) < 0) return;
        for (int i = 0; i < spec.NodeCount; i++)
        {
            for (int e = inputStart[i]; e < inputStart[i + 1]; e++)
            {
                if (edgeNode[e] >= 0) continue;
                errors.Add(new(GraphErrorKind.UnknownInput, $"nodes[{i}].inputs[{e - inputStart[i]}]", spec.Id(i),
                    $"Node '{spec.Id(i)}' names input '{spec.InputAt(e)}', but no node has that id."));
            }
        }
    }

    /// <summary>The named output, or else the graph's only sink (a node no other node reads).</summary>
    private static int ResolveOutput(GraphSpec spec, ReadOnlySpan<int> edgeNode, IdTable ids, ErrorList errors)
    {
        if (spec.Output is { } name)
        {
            int named = ids.Find(Encoding.UTF8.GetBytes(name));
            if (named >= 0) return named;
            errors.Add(new(GraphErrorKind.UnknownOutput, "output", name, $"The output '{name}' names no node."));
            return -1;
        }

        int n = spec.NodeCount;
        bool[] isRead = BufferPool<bool>.Shared.Rent(n);
        try
        {
            Array.Clear(isRead, 0, n);
            foreach (int target in edgeNode)
                if (target >= 0) isRead[target] = true;

            int first = -1, sinks = 0;
            var names = new List<string>();
            for (int i = 0; i < n; i++)
            {
                if (isRead[i]) continue;
                if (sinks++ == 0) first = i;
                if (names.Count < 5) names.Add($"'{spec.Id(i)}'");
            }

            if (sinks == 1) return first;
            if (sinks > 1)
                errors.Add(new(GraphErrorKind.AmbiguousOutput, "output", null,
                    $"The graph has {sinks} sinks ({string.Join(", ", names)}{(sinks > names.Count ? ", ..." : "")}): name the one to differentiate in 'output'."));
            // No sink at all means every node is on or behind a cycle, which ordering reports.
            return -1;
        }
        finally
        {
            BufferPool<bool>.Shared.Return(isRead);
        }
    }

    /// <summary>
    /// Kahn's algorithm, with one twist: a leaf is placed just before its first reader rather than
    /// at the start, so inference never holds leaves that nothing reads yet. Returns the request
    /// indexes in evaluation order, or null (with the error naming one cycle) when the graph is
    /// not a DAG. The working arrays are pooled; only the order is kept.
    /// </summary>
    private static int[]? Order(GraphSpec spec, int[] edgeNodes, ErrorList errors)
    {
        int n = spec.NodeCount, edges = spec.InputCount;
        ReadOnlySpan<byte> codes = spec.OpCodes;
        ReadOnlySpan<int> inputStart = spec.InputStarts;
        ReadOnlySpan<int> edgeNode = edgeNodes.AsSpan(0, edges);
        int[] readerStartArray = BufferPool<int>.Shared.Rent(n + 1);
        int[] readersArray = BufferPool<int>.Shared.Rent(edges);
        int[] fillArray = BufferPool<int>.Shared.Rent(n);
        int[] pendingArray = BufferPool<int>.Shared.Rent(n);
        bool[] placedArray = BufferPool<bool>.Shared.Rent(n);
        try
        {
            Span<int> readerStart = readerStartArray.AsSpan(0, n + 1);
            Span<int> readers = readersArray.AsSpan(0, edges);
            Span<int> fill = fillArray.AsSpan(0, n);
            Span<int> pending = pendingArray.AsSpan(0, n);
            Span<bool> placed = placedArray.AsSpan(0, n);
            readerStart.Clear();
            pending.Clear();
            placed.Clear();

            // Readers of each node as one flat array (compressed rows), in the order the edges appear.
            foreach (int target in edgeNode) readerStart[target + 1]++;
            for (int i = 0; i < n; i++) readerStart[i + 1] += readerStart[i];
            readerStart[..n].CopyTo(fill);
            // pending[g]: the inputs of gate g from other gates that have not run yet.
            for (int i = 0; i < n; i++)
            {
                for (int e = inputStart[i]; e < inputStart[i + 1]; e++)
                {
                    int input = edgeNode[e];
                    readers[fill[input]++] = i;
                    if (!IsLeaf(codes, input)) pending[i]++;
                }
            }

            // The order doubles as the queue: a gate is appended once ready, its leaves just before it.
            int[] order = BufferPool<int>.Shared.Rent(n); // kept by the tape as its NodeAt
            int head = 0, tail = 0;
            for (int i = 0; i < n; i++)
            {
                if (IsLeaf(codes, i) && readerStart[i] == readerStart[i + 1]) { placed[i] = true; order[tail++] = i; }
                else if (!IsLeaf(codes, i) && pending[i] == 0) Place(i, codes, inputStart, edgeNode, placed, order, ref tail);
            }
            while (head < tail)
            {
                int node = order[head++];
                if (IsLeaf(codes, node)) continue;
                for (int r = readerStart[node]; r < readerStart[node + 1]; r++)
                    if (--pending[readers[r]] == 0) Place(readers[r], codes, inputStart, edgeNode, placed, order, ref tail);
            }

            if (tail == n) return order;
            BufferPool<int>.Shared.Return(order);
            errors.Add(FindCycle(spec, edgeNode, pending));
            return null;
        }
        finally
        {
            BufferPool<int>.Shared.Return(readerStartArray);
            BufferPool<int>.Shared.Return(readersArray);
            BufferPool<int>.Shared.Return(fillArray);
            BufferPool<int>.Shared.Return(pendingArray);
            BufferPool<bool>.Shared.Return(placedArray);
        }
    }

    /// <summary>Appends a ready gate to the order, its leaves not yet placed just before it.</summary>
    private static void Place(int gate, ReadOnlySpan<byte> codes, ReadOnlySpan<int> inputStart, ReadOnlySpan<int> edgeNode,
        Span<bool> placed, int[] order, ref int tail)
    {
        for (int e = inputStart[gate]; e < inputStart[gate + 1]; e++)
        {
            int input = edgeNode[e];
            if (IsLeaf(codes, input) && !placed[input]) { placed[input] = true; order[tail++] = input; }
        }
        placed[gate] = true;
        order[tail++] = gate;
    }

    private static bool IsLeaf(ReadOnlySpan<byte> codes, int node) => codes[node] <= (byte)OpCode.Const;

    /// <summary>
    /// Every node Kahn left behind still waits on an input that was left behind too, so walking
    /// from one to such an input again and again must come back to a node already seen.
    /// </summary>
    private static GraphError FindCycle(GraphSpec spec, ReadOnlySpan<int> edgeNode, ReadOnlySpan<int> pending)
    {
        var seenAt = new Dictionary<int, int>();
        var walk = new List<int>();
        int node = pending.IndexOfAnyExcept(0);
        while (!seenAt.ContainsKey(node))
        {
            seenAt[node] = walk.Count;
            walk.Add(node);
            int start = spec.InputStart(node), count = spec.InputCountOf(node);
            for (int k = 0; k < count; k++)
            {
                int input = edgeNode[start + k];
                if (pending[input] > 0) { node = input; break; }
            }
        }

        // The walk ran from readers to inputs; the cycle is told the way the values flow.
        List<int> cycle = walk[seenAt[node]..];
        cycle.Reverse();
        var ids = cycle.Select(spec.Id).ToList();
        int first = cycle[0];
        return new GraphError(GraphErrorKind.Cycle, $"nodes[{first}]", spec.Id(first),
            $"The graph has a cycle: {string.Join(" -> ", ids)} -> {ids[0]}.") { Cycle = ids };
    }

    /// <summary>The tape, in pooled arrays: the spec gives them back when it is disposed.</summary>
    private static Tape BuildTape(GraphSpec spec, int[] edgeNode, int[] nodeAt, int output, EvaluationMode mode)
    {
        int n = spec.NodeCount, edges = spec.InputCount;
        ReadOnlySpan<byte> codes = spec.OpCodes;
        ReadOnlySpan<int> inputStart = spec.InputStarts;
        ReadOnlySpan<double> values = spec.Values;
        int[] positionOf = BufferPool<int>.Shared.Rent(n);
        for (int p = 0; p < n; p++) positionOf[nodeAt[p]] = p;

        OpCode[] tapeOps = BufferPool<OpCode>.Shared.Rent(n);
        double[] leafValues = BufferPool<double>.Shared.Rent(n);
        int[] edgeStart = BufferPool<int>.Shared.Rent(n + 1);
        int[] edgeInput = BufferPool<int>.Shared.Rent(edges);
        int edge = 0, maxArity = 0;
        for (int p = 0; p < n; p++)
        {
            int node = nodeAt[p];
            tapeOps[p] = (OpCode)codes[node];
            leafValues[p] = values[node]; // 0 for a gate
            edgeStart[p] = edge;
            int start = inputStart[node], end = inputStart[node + 1];
            for (int e = start; e < end; e++) edgeInput[edge++] = positionOf[edgeNode[e]];
            maxArity = Math.Max(maxArity, end - start);
        }
        edgeStart[n] = edge;

        return NewTape(spec, tapeOps, leafValues, edgeStart, edgeInput, nodeAt, positionOf, output, maxArity, mode);
    }

    /// <summary>The tape over these pooled arrays, with its inference plan when <paramref name="mode"/> asks; the spec disposes it.</summary>
    /// <param name="output">The request index of the output node.</param>
    internal static Tape NewTape(GraphSpec spec, OpCode[] tapeOps, double[] leafValues, int[] edgeStart, int[] edgeInput, int[] nodeAt,
        int[] positionOf, int output, int maxArity, EvaluationMode mode)
    {
        int n = spec.NodeCount, edges = spec.InputCount;
        int outputPosition = positionOf[output];
        InferencePlan? plan = mode == EvaluationMode.Inference ? PlanSlots(n, edges, edgeStart, edgeInput, outputPosition) : null;
        var tape = new Tape(spec, n, edges, tapeOps, leafValues, edgeStart, edgeInput, nodeAt, positionOf, outputPosition,
            spec.Seed, maxArity, plan, ownsArrays: true);
        spec.DisposeWith(tape);
        return tape;
    }

    /// <summary>
    /// Gives each value a slot. A node's value takes a free slot (or a new one) while its inputs
    /// are still held; then each input whose last reader this node is gives its slot back. A value
    /// nobody reads gives its slot back at once; the output's is never given back.
    /// </summary>
    /// <param name="pooled">
    /// Whether the plan's arrays come from the pool, for a tape that gives them back when disposed;
    /// false for one that owns no arrays (the gradient check's cone of the output), whose plan the GC takes.
    /// </param>
    internal static InferencePlan PlanSlots(int n, int edges, int[] edgeStart, int[] edgeInput, int output, bool pooled = true)
    {
        int[] lastReader = BufferPool<int>.Shared.Rent(n);
        int[] free = BufferPool<int>.Shared.Rent(n); // a stack of the slots given back
        try
        {
            Array.Fill(lastReader, -1, 0, n);
            for (int p = 0; p < n; p++)
                for (int e = edgeStart[p]; e < edgeStart[p + 1]; e++)
                    lastReader[edgeInput[e]] = p;
            lastReader[output] = int.MaxValue;

            int[] outputSlot = pooled ? BufferPool<int>.Shared.Rent(n) : new int[n];
            int[] edgeSlot = pooled ? BufferPool<int>.Shared.Rent(edges) : new int[edges];
            int freeCount = 0, slotCount = 0;
            for (int p = 0; p < n; p++)
            {
                outputSlot[p] = freeCount > 0 ? free[--freeCount] : slotCount++;
                for (int e = edgeStart[p]; e < edgeStart[p + 1]; e++)
                {
                    int input = edgeInput[e];
                    edgeSlot[e] = outputSlot[input];
                    if (lastReader[input] != p) continue;
                    free[freeCount++] = outputSlot[input];
                    lastReader[input] = -2; // given back once, even when this node reads it twice
                }
                if (lastReader[p] == -1) free[freeCount++] = outputSlot[p];
            }
            return new InferencePlan(outputSlot, edgeSlot, slotCount);
        }
        finally
        {
            BufferPool<int>.Shared.Return(lastReader);
            BufferPool<int>.Shared.Return(free);
        }
    }

    private sealed class ErrorList
    {
        private readonly List<GraphError> _listed = [];

        public int Count { get; private set; }

        public void Add(GraphError error)
        {
            if (Count++ < MaxReportedErrors) _listed.Add(error);
        }

        public CompileResult Fail() => CompileResult.Failure(_listed, Count);
    }
}
