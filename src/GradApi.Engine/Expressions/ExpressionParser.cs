using System.Globalization;
using System.Runtime.CompilerServices;
using GradApi.Engine.Graphs;
using GradApi.Engine.Ops;

namespace GradApi.Engine.Expressions;

/// <summary>
/// Turns an expression such as <c>sigmoid(w0*x0 + w1*x1 + w2)</c> and the values of its inputs
/// into the <see cref="GraphSpec"/> the compiler takes: every subexpression becomes a node.
/// <para>
/// Grammar, loosest binding first (a hand-written recursive-descent parser; <c>^</c> is
/// right-associative and binds tighter than unary minus, so <c>-x^2</c> is <c>-(x^2)</c>, and its
/// right side may carry a minus, so <c>2^-1</c> is <c>2^(-1)</c>):
/// <code>
/// sum     = product (('+' | '-') product)*       add, sub
/// product = unary (('*' | '/') unary)*           mul, div
/// unary   = '-' unary | power                    neg
/// power   = primary ('^' unary)?                 pow
/// primary = number | name | name '(' args ')' | '(' sum ')'
/// args    = (sum (',' sum)*)?
/// </code>
/// A number is a const node; a name is an input, ONE node however often it appears, whose id is
/// the name; a call names any gate of <see cref="OpTable"/> (<c>exp(x)</c>, <c>max(a, b, c)</c>,
/// <c>pow(a, b)</c>, <c>add(a, b)</c>...) with an argument count the op takes.
/// </para>
/// <para>
/// Ids. A generated node's id is its op's name and a counter of that op, counting in the order
/// the nodes are made (children before parents, left to right): <c>(x+y)*z</c> gives
/// <c>add1</c> and <c>mul1</c>, <c>2*x</c> gives <c>const1</c> and <c>mul1</c>. A counter value
/// whose id is the name of an input is skipped (an input <c>add1</c> makes the first add
/// <c>add2</c>), so ids never clash. Each generated node's label is its subexpression's text as
/// written (a group's parentheses belong to the enclosing node's label, not to the group's).
/// Nodes are listed in the order they are made, so each input sits where it first appears.
/// </para>
/// <para>
/// Errors are values. A syntax error stops the parse and is the only one reported, with its
/// column; otherwise every name without a value, every unused input and every non-finite value
/// is reported. The parser recurses, but only through <c>(</c>, calls, unary minus and <c>^</c>,
/// each one level checked against <see cref="ExpressionLimits.MaxDepth"/> before going deeper;
/// left-associative chains (<c>a+b+c+...</c>) are loops.
/// </para>
/// Immutable: one parser may serve many threads, each parse keeping its state to itself.
/// </summary>
public sealed class ExpressionParser
{
    private readonly ExpressionLimits _limits;

    public ExpressionParser(ExpressionLimits? limits = null)
    {
        _limits = limits ?? ExpressionLimits.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(_limits.MaxLength, 1, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfNegative(_limits.MaxDepth, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfLessThan(_limits.MaxLabelLength, 3, nameof(limits));
    }

    /// <param name="expression">The text.</param>
    /// <param name="inputs">The value of each name; every entry must be used.</param>
    /// <param name="valuesOptional">
    /// Whether a name may be missing from <paramref name="inputs"/>: it then becomes an input leaf without a value,
    /// as a registered graph's input without a default (see <see cref="Compilation.GraphCompiler.Compile"/>).
    /// </param>
    public ExpressionParseResult Parse(string expression, IReadOnlyDictionary<string, double> inputs, bool valuesOptional = false)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(inputs);
        if (expression.Length > _limits.MaxLength)
            return ExpressionParseResult.Failure([new(ExpressionErrorKind.TooLong, _limits.MaxLength + 1, null,
                $"The expression is {expression.Length} characters long; the limit is {_limits.MaxLength}.")]);
        if (string.IsNullOrWhiteSpace(expression))
            return ExpressionParseResult.Failure([new(ExpressionErrorKind.Empty, 1, null, "The expression is empty.")]);
        return new Run(expression, inputs, _limits, valuesOptional).Parse();
    }

    /// <summary>One parse: the cursor, the graph being built and the errors found.</summary>
    private sealed class Run(string text, IReadOnlyDictionary<string, double> inputs, ExpressionLimits limits, bool valuesOptional)
    {
        private readonly ExpressionLexer _lexer = new(text);
        private readonly GraphSpec _spec = new();
        private readonly int[] _counters = new int[OpTable.All.Count];
        private readonly HashSet<string> _used = new(StringComparer.Ordinal);
        private readonly List<ExpressionError> _errors = [];
        private ExpressionError? _syntaxError;
        private Token _token;
        private int _depth;

        /// <summary>A parsed subexpression: the node holding its value and the text it spans.</summary>
        private readonly record struct Operand(string Id, int Start, int End);

        public ExpressionParseResult Parse()
        {
            Advance();
            Operand? root = ParseSum();
            if (root is not null && _token.Kind != TokenKind.End)
                root = Fail("an operator or the end of the expression");
            if (_syntaxError is not null) return ExpressionParseResult.Failure([_syntaxError]);

            foreach ((string name, double value) in inputs)
            {
                if (!_used.Contains(name))
                    _errors.Add(new(ExpressionErrorKind.UnusedInput, null, name, $"Input '{name}' is not used by the expression."));
                if (!double.IsFinite(value))
                    _errors.Add(new(ExpressionErrorKind.NonFiniteInput, null, name, $"Input '{name}' has a value that is not a finite number."));
            }
            if (_errors.Count > 0) return ExpressionParseResult.Failure(_errors);

            _spec.Output = root!.Value.Id;
            return ExpressionParseResult.Success(_spec);
        }

        private void Advance() => _token = _lexer.Next();

        private Operand? ParseSum()
        {
            Operand? left = ParseProduct();
            while (left is { } l && _token.Kind is TokenKind.Plus or TokenKind.Minus)
            {
                OpCode code = _token.Kind == TokenKind.Plus ? OpCode.Add : OpCode.Sub;
                Advance();
                if (ParseProduct() is not { } right) return null;
                left = Emit(code, l.Start, right.End, l.Id, right.Id);
            }
            return left;
        }

        private Operand? ParseProduct()
        {
            Operand? left = ParseUnary();
            while (left is { } l && _token.Kind is TokenKind.Star or TokenKind.Slash)
            {
                OpCode code = _token.Kind == TokenKind.Star ? OpCode.Mul : OpCode.Div;
                Advance();
                if (ParseUnary() is not { } right) return null;
                left = Emit(code, l.Start, right.End, l.Id, right.Id);
            }
            return left;
        }

        private Operand? ParseUnary()
        {
            if (_token.Kind != TokenKind.Minus) return ParsePower();

            Token minus = _token;
            if (!Enter(minus)) return null;
            Advance();
            if (ParseUnary() is not { } operand) return null;
            _depth--;
            return Emit(OpCode.Neg, minus.Start, operand.End, operand.Id);
        }

        private Operand? ParsePower()
        {
            if (ParsePrimary() is not { } @base) return null;
            if (_token.Kind != TokenKind.Caret) return @base;

            if (!Enter(_token)) return null;
            Advance();
            if (ParseUnary() is not { } exponent) return null;
            _depth--;
            return Emit(OpCode.Pow, @base.Start, exponent.End, @base.Id, exponent.Id);
        }

        private Operand? ParsePrimary()
        {
            Token token = _token;
            switch (token.Kind)
            {
                case TokenKind.Number:
                    return Constant(token);

                case TokenKind.Name:
                    Advance();
                    string name = text.Substring(token.Start, token.Length);
                    return _token.Kind == TokenKind.LeftParen ? ParseCall(name, token) : Input(name, token);

                case TokenKind.LeftParen:
                    if (!Enter(token)) return null;
                    Advance();
                    if (ParseSum() is not { } inner) return null;
                    _depth--;
                    if (_token.Kind != TokenKind.RightParen) return Fail("')'");
                    int end = _token.End;
                    Advance();
                    return inner with { Start = token.Start, End = end };

                default:
                    return Fail("a number, a name or '('");
            }
        }

        /// <summary>A call: <paramref name="nameToken"/> is the function's name, the current token its '('.</summary>
        private Operand? ParseCall(string name, Token nameToken)
        {
            if (!OpTable.TryGet(name, out Op? op) || op.IsLeaf)
                return Error(new(ExpressionErrorKind.UnknownFunction, nameToken.Column, name,
                    $"Unknown function '{Shorten(name)}' at column {nameToken.Column}. Functions: {string.Join(", ", OpTable.All.Where(o => !o.IsLeaf).Select(o => o.Name))}."));

            if (!Enter(_token)) return null;
            Advance();
            var args = new List<Operand>();
            if (_token.Kind != TokenKind.RightParen)
            {
                while (true)
                {
                    if (ParseSum() is not { } arg) return null;
                    args.Add(arg);
                    if (_token.Kind != TokenKind.Comma) break;
                    Advance();
                }
            }
            _depth--;
            if (_token.Kind != TokenKind.RightParen) return Fail("',' or ')'");
            int end = _token.End;
            Advance();

            if (!op.AcceptsArity(args.Count))
            {
                string takes = op.MaxArity == op.MinArity
                    ? $"{op.MinArity} argument{(op.MinArity == 1 ? "" : "s")}"
                    : $"at least {op.MinArity} arguments";
                return Error(new(ExpressionErrorKind.WrongArgumentCount, nameToken.Column, name,
                    $"Function '{name}' at column {nameToken.Column} takes {takes}, not {args.Count}."));
            }

            string id = NewId(op);
            _spec.BeginNode(id, op.Name, null, Label(nameToken.Start, end));
            foreach (Operand arg in args) _spec.AddInput(arg.Id);
            _spec.MarkInputs();
            _spec.EndNode();
            return new Operand(id, nameToken.Start, end);
        }

        private Operand? Constant(Token token)
        {
            ReadOnlySpan<char> literal = text.AsSpan(token.Start, token.Length);
            if (!double.TryParse(literal, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out double value)
                || !double.IsFinite(value))
                return Error(new(ExpressionErrorKind.InvalidNumber, token.Column, null,
                    $"The number '{Shorten(literal.ToString())}' at column {token.Column} is out of the range of a double."));

            Advance();
            string id = NewId(OpTable.Get(OpCode.Const));
            _spec.AddNode(id, "const", value, null, Label(token.Start, token.End));
            return new Operand(id, token.Start, token.End);
        }

        /// <summary>The input <paramref name="name"/>: a node the first time it appears, the same node after.</summary>
        private Operand Input(string name, Token token)
        {
            if (_used.Add(name))
            {
                if (inputs.TryGetValue(name, out double value))
                    _spec.AddNode(name, "input", value, null);
                else if (valuesOptional)
                    _spec.AddNode(name, "input", null, null);
                else
                    _errors.Add(new(ExpressionErrorKind.MissingInput, token.Column, name,
                        $"'{Shorten(name)}' at column {token.Column} has no value in inputs."));
            }
            return new Operand(name, token.Start, token.End);
        }

        private Operand Emit(OpCode code, int start, int end, string a, string? b = null)
        {
            Op op = OpTable.Get(code);
            string id = NewId(op);
            _spec.BeginNode(id, op.Name, null, Label(start, end));
            _spec.AddInput(a);
            if (b is not null) _spec.AddInput(b);
            _spec.MarkInputs();
            _spec.EndNode();
            return new Operand(id, start, end);
        }

        /// <summary>The op's name and its next count, skipping any that an input already bears.</summary>
        private string NewId(Op op)
        {
            string id;
            do id = op.Name + (++_counters[(int)op.Code]).ToString(CultureInfo.InvariantCulture);
            while (inputs.ContainsKey(id));
            return id;
        }

        /// <summary>The text from <paramref name="start"/> to <paramref name="end"/>, its middle elided if too long.</summary>
        private string Label(int start, int end)
        {
            int length = end - start, max = limits.MaxLabelLength;
            if (length <= max) return text.Substring(start, length);
            int head = (max - 1) / 2, tail = max - 1 - head;
            return string.Concat(text.AsSpan(start, head), "…", text.AsSpan(end - tail, tail));
        }

        /// <summary>Goes one level deeper, unless that is past the limit (or the thread's stack is short).</summary>
        private bool Enter(Token opener)
        {
            if (++_depth <= limits.MaxDepth && RuntimeHelpers.TryEnsureSufficientExecutionStack()) return true;
            Error(new(ExpressionErrorKind.TooDeep, opener.Column, null,
                $"The expression nests deeper than {limits.MaxDepth} levels at column {opener.Column}."));
            return false;
        }

        /// <summary>Reports that the current token is not <paramref name="expected"/>.</summary>
        private Operand? Fail(string expected)
        {
            Token token = _token;
            int column = token.Column;
            return Error(token.Kind switch
            {
                TokenKind.BadCharacter => new(ExpressionErrorKind.UnexpectedCharacter, column, null,
                    $"Unexpected character {Describe(token)} at column {column}."),
                TokenKind.BadNumber => new(ExpressionErrorKind.InvalidNumber, column, null,
                    $"The number {Describe(token)} at column {column} needs digits after its exponent."),
                _ => new(ExpressionErrorKind.Syntax, column, null,
                    $"Expected {expected} at column {column}, found {Describe(token)}."),
            });
        }

        private Operand? Error(ExpressionError error)
        {
            _syntaxError ??= error;
            return null;
        }

        private string Describe(Token token)
        {
            if (token.Kind == TokenKind.End) return "the end of the expression";
            if (token.Kind == TokenKind.BadCharacter)
            {
                char c = text[token.Start];
                return char.IsControl(c) || char.IsSurrogate(c) || char.IsWhiteSpace(c)
                    ? $"U+{(int)c:X4}"
                    : $"'{c}'";
            }
            return $"'{Shorten(text.Substring(token.Start, token.Length))}'";
        }

        private static string Shorten(string s) => s.Length <= 40 ? s : string.Concat(s.AsSpan(0, 39), "…");
    }
}
