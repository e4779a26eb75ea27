using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using GradApi.Engine.Compilation;
using GradApi.Engine.Expressions;
using GradApi.Engine.Graphs;
using GradApi.Problems;

namespace GradApi.Evaluate;

/// <summary>
/// Reads an evaluate body into a <see cref="GraphSpec"/> in one forward pass over the UTF-8 bytes:
/// either a <c>nodes</c> array, or an <c>expression</c> with the values of its <c>inputs</c>, which
/// <see cref="ExpressionParser"/> turns into nodes. Strict: unknown or repeated properties, nulls, numbers in strings and numbers that overflow a
/// double are errors naming their JSON path. What a node means (known op, arity, ids) is left to
/// the compiler; this only checks the shape.
/// </summary>
/// <remarks>
/// The body is read whole (<see cref="Read"/>) or in pieces as it arrives (<see cref="Take"/>, then <see cref="Finish"/>),
/// so that a large body is parsed while the rest of it is still on its way and is never held whole. A piece is read
/// up to the end of the last unit it holds whole (the body's opening brace, one of its properties, one node of its
/// <c>nodes</c> array) and the rest of it comes again, with more bytes after it. A unit is read whole or not at all:
/// when a piece ends inside one, the reader's state and the spec are put back as they were before it, so a body
/// read in pieces gives the same spec, and the same errors, as the whole body.
/// <para>
/// Once a body's <c>nodes</c> reach <see cref="CompileAhead.PublishStride"/>, the graph's compile starts beside the parse
/// (<see cref="CompileAhead"/>, told of each node after it): the caller takes it with <see cref="TakeCompile"/> and
/// finishes it; one not taken is stopped when the reader is disposed, as when the body is refused halfway.
/// </para>
/// </remarks>
internal sealed class GraphJsonReader : IJsonBodySink, IDisposable
{
    internal static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static readonly SearchValues<char> IdentifierChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

    internal static readonly JsonReaderOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 64,
    };

    /// <summary>How many nodes are read between two looks at the cancellation token, as in the engine.</summary>
    private const int CancellationStride = 4096;

    /// <summary>
    /// How many bytes a piece that is not the body's last must still hold for a node to be started in it. Nodes are far
    /// smaller, so a node seldom runs past the end of a piece and has to be read again from its start.
    /// </summary>
    internal const int NodeMargin = 4096;

    private readonly int _maxNodes;
    private readonly ExpressionParser _expressions;
    private readonly bool _inputValuesOptional;
    private readonly long _expectedLength;
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationToken _compileCancellationToken;

    /// <summary>The reader's state at the end of the last whole unit.</summary>
    private JsonReaderState _state = new(Options);
    private Place _place = Place.Start;
    private GraphSpec? _spec;
    private CompileAhead? _ahead;
    private int _nodes;
    private bool _seenOutput, _seenSeed;
    private string? _output, _expression;
    private Dictionary<string, double>? _inputs;
    private double _seed = 1;

    /// <summary>Where the next unit starts.</summary>
    private enum Place
    {
        /// <summary>At the body's first byte: a byte order mark may come.</summary>
        Start,

        /// <summary>Before the body's opening brace.</summary>
        Open,

        /// <summary>Between two properties of the body.</summary>
        Body,

        /// <summary>Between two nodes of the <c>nodes</c> array.</summary>
        Nodes,

        /// <summary>After the body's closing brace.</summary>
        End,
    }

    /// <param name="maxNodes">The most nodes allowed.</param>
    /// <param name="expressions">The parser of an expression body.</param>
    /// <param name="inputValuesOptional">Whether an expression's names may go without a value in <c>inputs</c> (registering a graph).</param>
    /// <param name="expectedLength">The body's length if known (else 0): the spec's arrays are sized from it.</param>
    /// <param name="cancellationToken">Looked at every few thousand nodes.</param>
    /// <param name="compileCancellationToken">
    /// The request's, for the compile that starts during the parse (<see cref="StartCompile"/>): it runs on another thread,
    /// between the reads of the body that would see the request's abort, and stops when this is cancelled.
    /// </param>
    public GraphJsonReader(int maxNodes, ExpressionParser expressions, bool inputValuesOptional, long expectedLength,
        CancellationToken cancellationToken, CancellationToken compileCancellationToken = default)
    {
        _compileCancellationToken = compileCancellationToken.CanBeCanceled ? compileCancellationToken : cancellationToken;
        _maxNodes = maxNodes;
        _expressions = expressions;
        _inputValuesOptional = inputValuesOptional;
        _expectedLength = expectedLength;
        _cancellationToken = cancellationToken;
    }

    /// <param name="json">The body.</param>
    /// <param name="maxNodes">The most nodes allowed.</param>
    /// <param name="expressions">The parser of an expression body.</param>
    /// <param name="cancellationToken">Looked at every few thousand nodes.</param>
    /// <param name="inputValuesOptional">Whether an expression's names may go without a value in <c>inputs</c> (registering a graph).</param>
    /// <exception cref="ProblemException">The body is not a graph of the contract's shape (400) or has more than <paramref name="maxNodes"/> nodes (413).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled: the request ran out of time or its client went away.</exception>
    public static GraphSpec Read(ReadOnlySpan<byte> json, int maxNodes, ExpressionParser expressions, CancellationToken cancellationToken = default,
        bool inputValuesOptional = false)
    {
        using var reader = new GraphJsonReader(maxNodes, expressions, inputValuesOptional, json.Length, cancellationToken);
        reader.Take(json, final: true);
        return reader.Finish();
    }

    /// <summary>
    /// Reads the units that <paramref name="data"/> holds whole and returns how many of its first bytes they took.
    /// With <paramref name="final"/>, <paramref name="data"/> ends the body and is read to its end.
    /// </summary>
    /// <exception cref="ProblemException">As <see cref="Read"/>.</exception>
    /// <exception cref="OperationCanceledException">As <see cref="Read"/>.</exception>
    public int Take(ReadOnlySpan<byte> data, bool final)
    {
        int offset = 0;
        if (_place == Place.Start)
        {
            if (!final && data.Length < Utf8Bom.Length && Utf8Bom.StartsWith(data)) return 0; // a byte order mark may be arriving
            if (data.StartsWith(Utf8Bom)) offset = Utf8Bom.Length;
            if (final && data.Length == offset) throw ProblemException.InvalidBody("$", "The body is empty; send a JSON object with a 'nodes' array.");
            _place = Place.Open;
        }

        var reader = new Utf8JsonReader(data[offset..], final, _state);
        int taken = offset;
        try
        {
            while (ReadUnit(ref reader, final, data.Length - offset))
            {
                taken = offset + (int)reader.BytesConsumed;
                _state = reader.CurrentState;
            }
            if (final) taken = data.Length; // the reader has found nothing but white space after the body
        }
        catch (MoreBytesNeeded)
        {
            _spec?.DiscardPartialNode(); // the node the piece ended in comes again whole
        }
        catch (JsonException e)
        {
            throw ProblemException.InvalidBody("$", $"The body is not valid JSON: {e.Message}");
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader checks a string's bytes only when it is read out as text.
            throw InvalidUtf8();
        }
        return taken;
    }

    /// <summary>The graph of a body read to its end; the caller owns the spec from here on.</summary>
    /// <exception cref="ProblemException">As <see cref="Read"/>.</exception>
    public GraphSpec Finish()
    {
        if (_place != Place.End) throw new InvalidOperationException("The body has not been read to its end.");
        GraphSpec? spec = _spec;
        if (_expression is not null)
        {
            if (spec is not null)
                throw ProblemException.InvalidBody("expression", "Send either 'nodes' or an 'expression', not both.");
            spec = ParseExpression(_expression, _inputs ?? [], _maxNodes, _expressions, _inputValuesOptional);
        }
        else if (_inputs is not null)
        {
            throw ProblemException.InvalidBody("inputs", "'inputs' gives the values of an expression's names: send it with an 'expression'.");
        }

        if (spec is null) throw ProblemException.InvalidBody("nodes", "The body needs a 'nodes' array or an 'expression'.");
        if (_output is not null || _expression is null) spec.Output = _output;
        spec.Seed = _seed;
        _spec = null;
        return spec;
    }

    /// <summary>
    /// The compile that started while the nodes were read (see <see cref="StartCompile"/>), for the caller to finish once
    /// it has the spec (<see cref="Finish"/>); null if none started. The caller owns it from here on.
    /// </summary>
    public CompileAhead? TakeCompile()
    {
        CompileAhead? ahead = _ahead;
        _ahead = null;
        return ahead;
    }

    /// <summary>
    /// Gives back the arrays of a spec that was never handed out (the body was refused, or its reading stopped), and
    /// stops the compile that ran ahead, first: it reads the spec.
    /// </summary>
    public void Dispose()
    {
        _ahead?.Dispose();
        _ahead = null;
        _spec?.Dispose();
        _spec = null;
    }

    /// <summary>
    /// A graph this large has a compile worth starting on another core while the rest of its nodes are read: the ids are
    /// resolved as they come (<see cref="CompileAhead"/>), sized for a node per 64 bytes of the body.
    /// </summary>
    private void StartCompile() =>
        _ahead = new CompileAhead(_spec!, (int)Math.Min(_expectedLength / 64, int.MaxValue), _inputValuesOptional, _compileCancellationToken);

    /// <summary>
    /// Reads the next unit whole: the body's opening brace, one of its properties, one node, or the body's closing
    /// brace. False when there is nothing more to read now: the body is read to its end, or (in a piece that is not the
    /// last) too little is left for the next node.
    /// </summary>
    /// <param name="reader">The reader.</param>
    /// <param name="final">Whether the reader's bytes end the body.</param>
    /// <param name="length">How many bytes the reader has.</param>
    private bool ReadUnit(ref Utf8JsonReader reader, bool final, int length)
    {
        switch (_place)
        {
            case Place.Open:
                Next(ref reader);
                if (reader.TokenType != JsonTokenType.StartObject)
                    throw ProblemException.InvalidBody("$", $"The body must be a JSON object with a 'nodes' array, not {Describe(reader.TokenType)}.");
                _place = Place.Body;
                return true;
            case Place.Body:
                if (NextProperty(ref reader)) ReadProperty(ref reader);
                else _place = Place.End;
                return true;
            case Place.Nodes:
                if (!final && length - reader.BytesConsumed < NodeMargin) return false;
                if (!Next(ref reader) || reader.TokenType == JsonTokenType.EndArray)
                {
                    _place = Place.Body;
                    return true;
                }
                if (_nodes == _maxNodes)
                    throw new ProblemException(StatusCodes.Status413PayloadTooLarge, "The graph is too large",
                        $"The graph has more than {_maxNodes:N0} nodes, the most this service evaluates in one request.");
                if ((_nodes & (CancellationStride - 1)) == 0) _cancellationToken.ThrowIfCancellationRequested();
                ReadNode(ref reader, _spec!, _nodes);
                _nodes++;
                if (_ahead is not null) _ahead.Added();
                else if (_nodes == CompileAhead.PublishStride) StartCompile();
                return true;
            default: // Place.End
                if (Next(ref reader)) throw ProblemException.InvalidBody("$", "Only one JSON value may be sent.");
                return false;
        }
    }

    /// <summary>One property of the body; its value is kept only once it is read whole.</summary>
    private void ReadProperty(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("nodes"u8))
        {
            Once(_spec is not null, "nodes");
            Next(ref reader);
            if (reader.TokenType != JsonTokenType.StartArray)
                throw ProblemException.InvalidBody("nodes", $"'nodes' must be an array of node objects, not {Describe(reader.TokenType)}.");
            // Room guessed from the body's size (a compact node takes some 50 bytes, an input id 10): the
            // arrays come from a pool and grow if short, so a guess too large costs no more than pages untouched.
            int length = (int)Math.Min(_expectedLength, int.MaxValue);
            _spec = new GraphSpec(nodeCapacity: length / 48, inputCapacity: length / 24, textCapacity: length / 3);
            _place = Place.Nodes;
        }
        else if (reader.ValueTextEquals("output"u8))
        {
            Once(_seenOutput, "output");
            _output = ReadString(ref reader, "output");
            _seenOutput = true;
        }
        else if (reader.ValueTextEquals("seed"u8))
        {
            Once(_seenSeed, "seed");
            _seed = ReadNumber(ref reader, "seed");
            _seenSeed = true;
        }
        else if (reader.ValueTextEquals("expression"u8))
        {
            Once(_expression is not null, "expression");
            _expression = ReadString(ref reader, "expression");
        }
        else if (reader.ValueTextEquals("inputs"u8))
        {
            Once(_inputs is not null, "inputs");
            _inputs = ReadInputValues(ref reader);
        }
        else
        {
            throw Unknown(ref reader, "", "nodes, output, seed, expression, inputs");
        }
    }

    /// <summary>
    /// Reads the next token. In a piece that is not the body's last, running out of bytes is not the end of anything:
    /// it throws <see cref="MoreBytesNeeded"/>, and the unit is read again when more have come.
    /// </summary>
    private static bool Next(ref Utf8JsonReader reader) =>
        reader.Read() || (!reader.IsFinalBlock ? throw MoreBytesNeeded.Instance : false);

    /// <summary>A piece ended inside a unit. Thrown only there, at most once a piece, and caught in <see cref="Take"/>.</summary>
    private sealed class MoreBytesNeeded : Exception
    {
        public static readonly MoreBytesNeeded Instance = new();
    }

    private static GraphSpec ParseExpression(string expression, Dictionary<string, double> inputs, int maxNodes, ExpressionParser expressions,
        bool inputValuesOptional)
    {
        ExpressionParseResult parsed = expressions.Parse(expression, inputs, inputValuesOptional);
        if (!parsed.Succeeded)
        {
            var errors = parsed.Errors
                .GroupBy(e => e.Column is null && e.Name is not null ? MemberPath("inputs", e.Name) : "expression")
                .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
            ExpressionError first = parsed.Errors[0];
            var extensions = new Dictionary<string, object?>();
            if (first.Column is { } column) extensions["column"] = column;
            throw new ProblemException(StatusCodes.Status400BadRequest, "The expression is not valid", first.Message, errors, extensions);
        }

        if (parsed.Spec.NodeCount > maxNodes)
            throw new ProblemException(StatusCodes.Status413PayloadTooLarge, "The graph is too large",
                $"The expression makes {parsed.Spec.NodeCount:N0} nodes; this service evaluates at most {maxNodes:N0} in one request.");
        return parsed.Spec;
    }

    /// <summary>The <c>inputs</c> object of an expression body: each name's value.</summary>
    private static Dictionary<string, double> ReadInputValues(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        if (reader.TokenType != JsonTokenType.StartObject)
            throw ProblemException.InvalidBody("inputs", $"'inputs' must be an object of name: number, not {Describe(reader.TokenType)}.");
        var inputs = new Dictionary<string, double>(StringComparer.Ordinal);
        while (NextProperty(ref reader))
        {
            string name = reader.GetString()!;
            string path = MemberPath("inputs", name);
            Once(inputs.ContainsKey(name), path);
            inputs[name] = ReadNumber(ref reader, path);
        }
        return inputs;
    }

    /// <summary>
    /// One node, straight into <paramref name="spec"/>: ids and the op name stay UTF-8 bytes, and a
    /// JSON path is made into a string only for an error.
    /// </summary>
    private static void ReadNode(ref Utf8JsonReader reader, GraphSpec spec, int index)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw ProblemException.InvalidBody(NodePath(index), $"A node must be an object, not {Describe(reader.TokenType)}.");

        ReadOnlySpan<byte> id = default, op = default;
        bool hasId = false, hasOp = false, hasInputs = false;
        string? label = null;
        double? value = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("id"u8))
            {
                Once(hasId, index, "id");
                hasId = true;
                id = ReadUtf8(ref reader, index, "id");
            }
            else if (reader.ValueTextEquals("op"u8))
            {
                Once(hasOp, index, "op");
                hasOp = true;
                op = ReadUtf8(ref reader, index, "op");
            }
            else if (reader.ValueTextEquals("value"u8))
            {
                Once(value is not null, index, "value");
                value = ReadNumber(ref reader, index, "value");
            }
            else if (reader.ValueTextEquals("inputs"u8))
            {
                Once(hasInputs, index, "inputs");
                hasInputs = true;
                ReadInputs(ref reader, index, spec);
            }
            else if (reader.ValueTextEquals("label"u8))
            {
                Once(label is not null, index, "label");
                label = ReadString(ref reader, $"{NodePath(index)}.label");
            }
            else
            {
                throw Unknown(ref reader, NodePath(index), "id, op, value, inputs, label");
            }
        }

        if (!hasId) throw ProblemException.InvalidBody($"{NodePath(index)}.id", "Every node needs an 'id'.");
        if (!hasOp) throw ProblemException.InvalidBody($"{NodePath(index)}.op", $"Node '{Encoding.UTF8.GetString(id)}' needs an 'op'.");
        spec.BeginNode(id, op, value, label);
        if (hasInputs) spec.MarkInputs();
        spec.EndNode();
    }

    /// <summary>The input ids of the node being read, added to <paramref name="spec"/> as they come.</summary>
    private static void ReadInputs(ref Utf8JsonReader reader, int index, GraphSpec spec)
    {
        Next(ref reader);
        if (reader.TokenType != JsonTokenType.StartArray)
            throw ProblemException.InvalidBody($"{NodePath(index)}.inputs", $"'inputs' must be an array of node ids, not {Describe(reader.TokenType)}.");
        int k = 0;
        while (Next(ref reader) && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
                throw ProblemException.InvalidBody($"{NodePath(index)}.inputs[{k}]", $"An input must be a node id (a string), not {Describe(reader.TokenType)}.");
            spec.AddInput(Utf8Value(ref reader));
            k++;
        }
    }

    private static string NodePath(int index) => $"nodes[{index}]";

    /// <summary>A string property of node <paramref name="index"/> as UTF-8 bytes.</summary>
    private static ReadOnlySpan<byte> ReadUtf8(scoped ref Utf8JsonReader reader, int index, string property)
    {
        Next(ref reader);
        if (reader.TokenType != JsonTokenType.String)
            throw ProblemException.InvalidBody($"{NodePath(index)}.{property}", $"Expected a string, not {Describe(reader.TokenType)}.");
        return Utf8Value(ref reader);
    }

    /// <summary>
    /// The current string token's text as UTF-8: the body's own bytes when it has no escapes (checked
    /// to be valid UTF-8, as <see cref="Utf8JsonReader.GetString"/> would), else unescaped into a new array.
    /// </summary>
    private static ReadOnlySpan<byte> Utf8Value(scoped ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped) return Encoding.UTF8.GetBytes(reader.GetString()!);
        ReadOnlySpan<byte> value = reader.ValueSpan;
        if (!Utf8.IsValid(value)) throw InvalidUtf8();
        return value;
    }

    private static double ReadNumber(ref Utf8JsonReader reader, int index, string property) =>
        TryReadNumber(ref reader, out double value, out string? problem)
            ? value
            : throw ProblemException.InvalidBody($"{NodePath(index)}.{property}", problem);

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader) =>
        Next(ref reader) && reader.TokenType == JsonTokenType.PropertyName;

    private static string ReadString(ref Utf8JsonReader reader, string path)
    {
        Next(ref reader);
        if (reader.TokenType != JsonTokenType.String)
            throw ProblemException.InvalidBody(path, $"Expected a string, not {Describe(reader.TokenType)}.");
        return reader.GetString()!;
    }

    private static double ReadNumber(ref Utf8JsonReader reader, string path) =>
        TryReadNumber(ref reader, out double value, out string? problem) ? value : throw ProblemException.InvalidBody(path, problem);

    /// <summary>The next token as a finite double, or what is wrong with it (the caller names where).</summary>
    private static bool TryReadNumber(ref Utf8JsonReader reader, out double value, [NotNullWhen(false)] out string? problem)
    {
        Next(ref reader);
        value = 0;
        if (reader.TokenType != JsonTokenType.Number) problem = $"Expected a number, not {Describe(reader.TokenType)}.";
        else if (!JsonNumber.TryParse(reader.ValueSpan, out value) || !double.IsFinite(value)) problem = OutOfRange;
        else problem = null;
        return problem is null;
    }

    private static void Once(bool seen, string path)
    {
        if (seen) throw ProblemException.InvalidBody(path, "The property appears twice.");
    }

    private static void Once(bool seen, int index, string property)
    {
        if (seen) Once(seen, $"{NodePath(index)}.{property}");
    }

    private const string OutOfRange = "The number is out of the range of a finite double.";

    internal static ProblemException InvalidUtf8() =>
        ProblemException.InvalidBody("$", "The body has a string that is not valid UTF-8 (or holds an unpaired surrogate escape).");

    private static ProblemException Unknown(ref Utf8JsonReader reader, string parent, string known) =>
        ProblemException.InvalidBody(MemberPath(parent, reader.GetString()!), $"Unknown property. Known here: {known}.");

    /// <summary>
    /// The JSON path of the member <paramref name="name"/> of the object at <paramref name="parent"/> ("" for the
    /// body): <c>nodes[0].colour</c>; in brackets where the name is not a plain identifier, so that the path still
    /// says where and cannot be misread: <c>$['']</c>, <c>nodes[0]['x.y']</c>, <c>inputs['a b']</c>.
    /// </summary>
    internal static string MemberPath(string parent, string name)
    {
        bool identifier = name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_')
            && name.AsSpan().IndexOfAnyExcept(IdentifierChars) < 0;
        if (identifier) return parent.Length == 0 ? name : $"{parent}.{name}";
        string quoted = name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal);
        return $"{(parent.Length == 0 ? "$" : parent)}['{quoted}']";
    }

    internal static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => "nothing",
    };
}
