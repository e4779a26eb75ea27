using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
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
internal static class GraphJsonReader
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
        if (json.StartsWith(Utf8Bom)) json = json[Utf8Bom.Length..];
        if (json.IsEmpty) throw ProblemException.InvalidBody("$", "The body is empty; send a JSON object with a 'nodes' array.");
        var reader = new Utf8JsonReader(json, Options);
        try
        {
            GraphSpec spec = ReadRoot(ref reader, maxNodes, json.Length, expressions, inputValuesOptional, cancellationToken);
            if (reader.Read()) throw ProblemException.InvalidBody("$", "Only one JSON value may be sent.");
            return spec;
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
    }

    private static GraphSpec ReadRoot(ref Utf8JsonReader reader, int maxNodes, int bodyLength, ExpressionParser expressions,
        bool inputValuesOptional, CancellationToken cancellationToken)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
            throw ProblemException.InvalidBody("$", $"The body must be a JSON object with a 'nodes' array, not {Describe(reader.TokenType)}.");

        GraphSpec? spec = null;
        bool seenOutput = false, seenSeed = false;
        string? output = null, expression = null;
        Dictionary<string, double>? inputs = null;
        double seed = 1;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("nodes"u8))
            {
                Once(spec is not null, "nodes");
                reader.Read();
                spec = ReadNodes(ref reader, maxNodes, bodyLength, cancellationToken);
            }
            else if (reader.ValueTextEquals("output"u8))
            {
                Once(seenOutput, "output");
                seenOutput = true;
                output = ReadString(ref reader, "output");
            }
            else if (reader.ValueTextEquals("seed"u8))
            {
                Once(seenSeed, "seed");
                seenSeed = true;
                seed = ReadNumber(ref reader, "seed");
            }
            else if (reader.ValueTextEquals("expression"u8))
            {
                Once(expression is not null, "expression");
                expression = ReadString(ref reader, "expression");
            }
            else if (reader.ValueTextEquals("inputs"u8))
            {
                Once(inputs is not null, "inputs");
                inputs = ReadInputValues(ref reader);
            }
            else
            {
                throw Unknown(ref reader, "", "nodes, output, seed, expression, inputs");
            }
        }

        if (expression is not null)
        {
            if (spec is not null)
                throw ProblemException.InvalidBody("expression", "Send either 'nodes' or an 'expression', not both.");
            spec = ParseExpression(expression, inputs ?? [], maxNodes, expressions, inputValuesOptional);
        }
        else if (inputs is not null)
        {
            throw ProblemException.InvalidBody("inputs", "'inputs' gives the values of an expression's names: send it with an 'expression'.");
        }

        if (spec is null) throw ProblemException.InvalidBody("nodes", "The body needs a 'nodes' array or an 'expression'.");
        if (output is not null || expression is null) spec.Output = output;
        spec.Seed = seed;
        return spec;
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
        reader.Read();
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

    private static GraphSpec ReadNodes(ref Utf8JsonReader reader, int maxNodes, int bodyLength, CancellationToken cancellationToken)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw ProblemException.InvalidBody("nodes", $"'nodes' must be an array of node objects, not {Describe(reader.TokenType)}.");

        // Room guessed from the body's size (a compact node takes some 50 bytes, an input id 10): the
        // arrays come from a pool and grow if short, so a guess too large costs no more than pages untouched.
        var spec = new GraphSpec(nodeCapacity: bodyLength / 48, inputCapacity: bodyLength / 24, textCapacity: bodyLength / 3);
        int index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (index == maxNodes)
                throw new ProblemException(StatusCodes.Status413PayloadTooLarge, "The graph is too large",
                    $"The graph has more than {maxNodes:N0} nodes, the most this service evaluates in one request.");
            if ((index & (CancellationStride - 1)) == 0) cancellationToken.ThrowIfCancellationRequested();
            ReadNode(ref reader, spec, index++);
        }
        return spec;
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
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
            throw ProblemException.InvalidBody($"{NodePath(index)}.inputs", $"'inputs' must be an array of node ids, not {Describe(reader.TokenType)}.");
        int k = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
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
        reader.Read();
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
        reader.Read() && reader.TokenType == JsonTokenType.PropertyName;

    private static string ReadString(ref Utf8JsonReader reader, string path)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
            throw ProblemException.InvalidBody(path, $"Expected a string, not {Describe(reader.TokenType)}.");
        return reader.GetString()!;
    }

    private static double ReadNumber(ref Utf8JsonReader reader, string path) =>
        TryReadNumber(ref reader, out double value, out string? problem) ? value : throw ProblemException.InvalidBody(path, problem);

    /// <summary>The next token as a finite double, or what is wrong with it (the caller names where).</summary>
    private static bool TryReadNumber(ref Utf8JsonReader reader, out double value, [NotNullWhen(false)] out string? problem)
    {
        reader.Read();
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
