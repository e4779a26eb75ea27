using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using GradApi.Engine.Batching;
using GradApi.Engine.Buffers;
using GradApi.Engine.Evaluation;
using GradApi.Evaluate;
using GradApi.Problems;

namespace GradApi.CompiledGraphs;

/// <summary>
/// Reads the body of <c>POST /v1/graphs/{id}/evaluate</c> in one forward pass over its bytes, against the graph's
/// inputs: <c>{"inputs": {name: number}}</c> for one point, or <c>{"batch": {name: number | [numbers]}, "grads":
/// [node ids], "reduce": "none" | "sum" | "mean"}</c> for many. As strict as the graph reader: unknown or repeated
/// properties, nulls, numbers in strings and numbers past a double are 400s naming their JSON path
/// (<c>inputs.foo</c>, <c>batch.x[17]</c>, <c>grads[2]</c>); a batch past the limits is a 413.
/// </summary>
internal static class GraphValuesReader
{
    /// <summary>Names up to this long are looked up without a string being made.</summary>
    private const int StackNameLength = 128;

    /// <exception cref="ProblemException">What is wrong with the body, and where.</exception>
    public static GraphValues Read(ReadOnlyMemory<byte> json, CompiledGraph graph, EvaluationMode mode, BatchLimits limits)
    {
        if (json.Span.StartsWith(GraphJsonReader.Utf8Bom)) json = json[GraphJsonReader.Utf8Bom.Length..];
        if (json.IsEmpty) throw Invalid("$", "The body is empty; send {\"inputs\": {...}} for one point or {\"batch\": {...}} for many.");
        // A body that turns out not to be JSON after an array was read directly is read again token by token: the
        // reader restarted past the array counts its positions from there, and the problem must say where exactly.
        return Read(json, graph, mode, limits, readArraysDirectly: true)
            ?? Read(json, graph, mode, limits, readArraysDirectly: false)!;
    }

    /// <summary>The values; null when <paramref name="readArraysDirectly"/> did and the body then turned out not to be JSON.</summary>
    private static GraphValues? Read(ReadOnlyMemory<byte> json, CompiledGraph graph, EvaluationMode mode, BatchLimits limits, bool readArraysDirectly)
    {
        var bytes = new ReaderBytes(json, readArraysDirectly);
        var reader = new Utf8JsonReader(json.Span, GraphJsonReader.Options);
        GraphValues? values = null;
        try
        {
            values = ReadRoot(ref reader, ref bytes, graph, mode, limits);
            if (reader.Read()) throw Invalid("$", "Only one JSON value may be sent.");
            return values;
        }
        catch (JsonException e)
        {
            values?.Dispose();
            if (bytes.Restarted) return null;
            throw Invalid("$", $"The body is not valid JSON: {e.Message}");
        }
        catch (InvalidOperationException)
        {
            values?.Dispose();
            throw GraphJsonReader.InvalidUtf8();
        }
        catch
        {
            values?.Dispose();
            throw;
        }
    }

    private static GraphValues ReadRoot(ref Utf8JsonReader reader, ref ReaderBytes bytes, CompiledGraph graph, EvaluationMode mode, BatchLimits limits)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Invalid("$", $"The body must be a JSON object with 'inputs' or 'batch', not {GraphJsonReader.Describe(reader.TokenType)}.");

        GraphValues? point = null, batch = null;
        List<string>? grads = null;
        string? reduce = null;
        try
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("inputs"u8))
                {
                    Once(point is not null, "inputs");
                    point = ReadPoint(ref reader, graph);
                }
                else if (reader.ValueTextEquals("batch"u8))
                {
                    Once(batch is not null, "batch");
                    batch = ReadBatch(ref reader, ref bytes, graph, limits);
                }
                else if (reader.ValueTextEquals("grads"u8))
                {
                    Once(grads is not null, "grads");
                    grads = ReadGrads(ref reader);
                }
                else if (reader.ValueTextEquals("reduce"u8))
                {
                    Once(reduce is not null, "reduce");
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                        throw Invalid("reduce", $"Expected \"none\", \"sum\" or \"mean\", not {GraphJsonReader.Describe(reader.TokenType)}.");
                    reduce = reader.GetString()!;
                }
                else
                {
                    string name = reader.GetString()!;
                    throw Invalid(GraphJsonReader.MemberPath("", name), "Unknown property. Known here: inputs, batch, grads, reduce.");
                }
            }

            if (point is not null && batch is not null)
                throw Invalid("batch", "Send either 'inputs' (one point) or 'batch' (many points), not both.");
            if (point is not null)
            {
                if (grads is not null)
                    throw Invalid("grads", "'grads' goes with 'batch': the answer for one point has every node's grad.");
                if (reduce is not null)
                    throw Invalid("reduce", "'reduce' goes with 'batch': one point has nothing to sum or average.");
                RequireDefaults(graph, point, "inputs", "in inputs");
                GraphValues done = point;
                point = null;
                return done;
            }
            if (batch is null)
                throw Invalid("$", "The body needs 'inputs' (one point: {\"inputs\": {\"x\": 1.5}}) or 'batch' (many points: {\"batch\": {\"x\": [1, 2, 3]}}).");

            if (mode == EvaluationMode.Inference && grads is not null)
                throw Invalid("grads", "mode=inference computes no grads: send 'grads' with mode=training.");
            if (mode == EvaluationMode.Inference && reduce is not null)
                throw Invalid("reduce", "mode=inference computes no grads to reduce: send 'reduce' with mode=training.");
            batch.Reduce = reduce switch
            {
                null or "none" => BatchReduce.None,
                "sum" => BatchReduce.Sum,
                "mean" => BatchReduce.Mean,
                _ => throw Invalid("reduce", $"reduce must be \"none\", \"sum\" or \"mean\", not \"{reduce}\"."),
            };
            if (grads is not null) batch.GradNodes = ResolveGrads(grads, graph);
            RequireDefaults(graph, batch, "batch", "in batch");
            long work = (long)batch.Size * graph.Tape.NodeCount;
            if (work > limits.MaxWork)
                throw new ProblemException(StatusCodes.Status413PayloadTooLarge, "The batch is too large",
                    $"A batch of {batch.Size:N0} points on a graph of {graph.Tape.NodeCount:N0} nodes is {work:N0} node evaluations; "
                    + $"this service runs at most {limits.MaxWork:N0} in one request (GradApi:MaxBatchWork). Send fewer points per request.");
            GraphValues result = batch;
            batch = null;
            return result;
        }
        finally
        {
            point?.Dispose();
            batch?.Dispose();
        }
    }

    /// <summary><c>inputs</c>: one number for each input named.</summary>
    private static GraphValues ReadPoint(ref Utf8JsonReader reader, CompiledGraph graph)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Invalid("inputs", $"'inputs' must be an object of input name: number, not {GraphJsonReader.Describe(reader.TokenType)}.");
        var values = new GraphValues(graph.InputIds.Length, isBatch: false);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int input = FindInput(ref reader, graph, "inputs", values);
            reader.Read();
            values.SetScalar(input, TryReadNumber(ref reader, out double value, out string? problem)
                ? value : throw Invalid(PathOf("inputs", graph, input), problem));
        }
        return values;
    }

    /// <summary><c>batch</c>: for each input named, an array of B numbers or one number for all B points.</summary>
    private static GraphValues ReadBatch(ref Utf8JsonReader reader, ref ReaderBytes bytes, CompiledGraph graph, BatchLimits limits)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Invalid("batch", $"'batch' must be an object of input name: [numbers] or number, not {GraphJsonReader.Describe(reader.TokenType)}.");
        var values = new GraphValues(graph.InputIds.Length, isBatch: true);
        try
        {
            int size = -1, sizeOf = -1;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                int input = FindInput(ref reader, graph, "batch", values);
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    values.SetScalar(input, TryReadNumber(ref reader, out double value, out string? problem)
                        ? value : throw Invalid(PathOf("batch", graph, input), problem));
                    continue;
                }

                (double[] lanes, int count) = ReadLanes(ref reader, ref bytes, graph, input, limits.MaxSize);
                values.SetLanes(input, lanes);
                if (count == 0)
                    throw Invalid(PathOf("batch", graph, input), "The array is empty: a batch has at least one point.");
                if (size < 0) (size, sizeOf) = (count, input);
                else if (count != size)
                    throw Invalid(PathOf("batch", graph, input),
                        $"The array has {count:N0} numbers, but {PathOf("batch", graph, sizeOf)} has {size:N0}: every array in a batch has one number per point.");
            }
            if (size < 0)
                throw Invalid("batch", "A batch needs at least one input's values as an array (one number per point); for one point, send 'inputs'.");
            values.Size = size;
            return values;
        }
        catch
        {
            values.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The numbers of one input's array, into a pooled array: read straight from the bytes when the array is plain
    /// numbers (the reader then restarted past it), else token by token, which names what is wrong and where.
    /// </summary>
    private static (double[] Lanes, int Count) ReadLanes(ref Utf8JsonReader reader, ref ReaderBytes bytes, CompiledGraph graph, int input, int maxSize)
    {
        double[] lanes = BufferPool<double>.Shared.Rent(64);
        int count = 0;
        try
        {
            if (bytes.ReadArraysDirectly)
            {
                int end = NumberArrayReader.Read(bytes.Unread(in reader), ref lanes, maxSize, out count);
                if (end >= 0)
                {
                    bytes.Skip(ref reader, end);
                    reader.Read(); // the array's ']'
                    return (lanes, count);
                }
                count = 0;
            }
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (count == maxSize)
                    throw new ProblemException(StatusCodes.Status413PayloadTooLarge, "The batch is too large",
                        $"{PathOf("batch", graph, input)} has more than {maxSize:N0} numbers, the most points in one batch (GradApi:MaxBatchSize).");
                if (count == lanes.Length) NumberArrayReader.Grow(ref lanes, count);
                if (!TryReadNumber(ref reader, out lanes[count], out string? problem))
                    throw Invalid($"{PathOf("batch", graph, input)}[{count}]", problem);
                count++;
            }
            return (lanes, count);
        }
        catch
        {
            BufferPool<double>.Shared.Return(lanes);
            throw;
        }
    }

    /// <summary>The input named by the current property, or a 400 naming the property; a name given twice is a 400 too.</summary>
    private static int FindInput(ref Utf8JsonReader reader, CompiledGraph graph, string parent, GraphValues values)
    {
        int length = reader.HasValueSequence ? int.MaxValue : reader.ValueSpan.Length;
        int input;
        if (length <= StackNameLength)
        {
            Span<char> name = stackalloc char[StackNameLength];
            input = graph.FindInput(name[..reader.CopyString(name)]);
        }
        else
        {
            input = graph.FindInput(reader.GetString());
        }
        if (input < 0) throw UnknownInput(reader.GetString()!, graph, parent);
        if (values.IsGiven(input)) throw Invalid(PathOf(parent, graph, input), "The input is given twice.");
        return input;
    }

    private static ProblemException UnknownInput(string name, CompiledGraph graph, string parent)
    {
        string path = GraphJsonReader.MemberPath(parent, name);
        string inputs = graph.InputIds.Length == 0 ? "it has none"
            : $"its inputs are {string.Join(", ", graph.InputIds.Take(10))}{(graph.InputIds.Length > 10 ? ", ..." : "")}";
        int node = FindNode(graph, name);
        return Invalid(path, node >= 0
            ? $"'{name}' is a {graph.Spec.Op(node)} node of this graph, not an input leaf: only input leaves take values ({inputs})."
            : $"The graph has no input '{name}' ({inputs}).");
    }

    /// <summary><c>grads</c>: an array of node ids.</summary>
    private static List<string> ReadGrads(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
            throw Invalid("grads", $"'grads' must be an array of node ids, not {GraphJsonReader.Describe(reader.TokenType)}.");
        var grads = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
                throw Invalid($"grads[{grads.Count}]", $"Expected a node id (a string), not {GraphJsonReader.Describe(reader.TokenType)}.");
            grads.Add(reader.GetString()!);
        }
        return grads;
    }

    /// <summary>Each id's node; inputs are found by name, any other node by one pass over the graph's ids.</summary>
    private static int[] ResolveGrads(List<string> grads, CompiledGraph graph)
    {
        var nodes = new int[grads.Count];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        Dictionary<string, int>? others = null;
        for (int k = 0; k < grads.Count; k++)
        {
            if (!seen.TryAdd(grads[k], k))
                throw Invalid($"grads[{k}]", $"'{grads[k]}' is named twice in grads (first as grads[{seen[grads[k]]}]).");
            int input = graph.FindInput(grads[k]);
            nodes[k] = input >= 0 ? graph.InputNodes[input] : -1;
            if (input < 0) (others ??= new(StringComparer.Ordinal))[grads[k]] = -1;
        }
        if (others is null) return nodes;

        var spec = graph.Spec;
        int unresolved = others.Count;
        for (int i = 0; i < spec.NodeCount && unresolved > 0; i++)
        {
            string id = spec.Id(i);
            if (others.TryGetValue(id, out int found) && found < 0)
            {
                others[id] = i;
                unresolved--;
            }
        }
        for (int k = 0; k < nodes.Length; k++)
        {
            if (nodes[k] >= 0) continue;
            nodes[k] = others[grads[k]];
            if (nodes[k] < 0) throw Invalid($"grads[{k}]", $"'{grads[k]}' names no node of this graph.");
        }
        return nodes;
    }

    /// <summary>Every input without a default must have been given: a 400 listing each one that was not.</summary>
    private static void RequireDefaults(CompiledGraph graph, GraphValues values, string parent, string where)
    {
        Dictionary<string, string[]>? missing = null;
        for (int k = 0; k < graph.InputIds.Length; k++)
        {
            if (values.IsGiven(k) || graph.HasDefault(k)) continue;
            (missing ??= [])[PathOf(parent, graph, k)] = [$"Input '{graph.InputIds[k]}' has no default: give its value {where}."];
        }
        if (missing is null) return;
        string detail = string.Join(" ", missing.Values.Select(m => m[0]));
        throw new ProblemException(StatusCodes.Status400BadRequest, "An input has no value", detail, missing);
    }

    /// <summary>The node with id <paramref name="id"/>, by one pass over the graph (for errors and grads only); -1 if none.</summary>
    private static int FindNode(CompiledGraph graph, string id)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(id);
        for (int i = 0; i < graph.Spec.NodeCount; i++)
            if (graph.Spec.IdUtf8(i).SequenceEqual(utf8)) return i;
        return -1;
    }

    /// <summary>The current token as a finite double, or what is wrong with it (the caller names where).</summary>
    private static bool TryReadNumber(ref Utf8JsonReader reader, out double value, [NotNullWhen(false)] out string? problem)
    {
        value = 0;
        if (reader.TokenType != JsonTokenType.Number) problem = $"Expected a number, not {GraphJsonReader.Describe(reader.TokenType)}.";
        else if (!JsonNumber.TryParse(reader.ValueSpan, out value) || !double.IsFinite(value)) problem = "The number is out of the range of a finite double.";
        else problem = null;
        return problem is null;
    }

    private static string PathOf(string parent, CompiledGraph graph, int input) => GraphJsonReader.MemberPath(parent, graph.InputIds[input]);

    private static void Once(bool seen, string path)
    {
        if (seen) throw Invalid(path, "The property appears twice.");
    }

    private static ProblemException Invalid(string path, string message) =>
        new(StatusCodes.Status400BadRequest, "The values are not valid", $"{path}: {message}",
            new Dictionary<string, string[]> { [path] = [message] });

    /// <summary>The bytes the JSON reader reads, so that an array can be read straight from them and the reader restarted past it.</summary>
    private ref struct ReaderBytes(ReadOnlyMemory<byte> json, bool readArraysDirectly)
    {
        private ReadOnlyMemory<byte> _bytes = json;

        /// <summary>Whether arrays of plain numbers are read from the bytes (<see cref="ReadLanes"/>).</summary>
        public bool ReadArraysDirectly { get; } = readArraysDirectly;

        /// <summary>Whether the reader was restarted, so that the positions in its errors no longer count from the body's start.</summary>
        public bool Restarted { get; private set; }

        /// <summary>The bytes after the reader's current token.</summary>
        public readonly ReadOnlyMemory<byte> Unread(scoped in Utf8JsonReader reader) => _bytes[(int)reader.BytesConsumed..];

        /// <summary>Restarts <paramref name="reader"/>, in the state it is in now, <paramref name="count"/> bytes past its current token.</summary>
        public void Skip(ref Utf8JsonReader reader, int count)
        {
            _bytes = _bytes[((int)reader.BytesConsumed + count)..];
            Restarted = true;
            reader = new Utf8JsonReader(_bytes.Span, isFinalBlock: true, reader.CurrentState);
        }
    }
}

/// <summary>The limits on one batch.</summary>
/// <param name="MaxSize">The most points (GradApi:MaxBatchSize); more is a 413.</param>
/// <param name="MaxWork">The most points times nodes (GradApi:MaxBatchWork); more is a 413.</param>
internal readonly record struct BatchLimits(int MaxSize, long MaxWork);
