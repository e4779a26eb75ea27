using System.Collections.Frozen;

namespace GradApi.Engine.Ops;

/// <summary>
/// Every op of the contract: its forward rule and its local-gradient rule side by side,
/// so an op is one entry here plus its tests. <c>GET /v1/ops</c> is generated from this table.
/// </summary>
public static class OpTable
{
    private const int NAry = int.MaxValue;

    private static readonly ForwardRule NoForward = static _ => throw new InvalidOperationException("A leaf has no forward rule.");
    private static readonly LocalGradientRule NoLocal = static (_, _, _) => { };

    public static IReadOnlyList<Op> All { get; } =
    [
        new(OpCode.Input, "input", 0, 0, "value (a variable)", "-", NoForward, NoLocal),
        new(OpCode.Const, "const", 0, 0, "value (a constant)", "-", NoForward, NoLocal),

        // add distributes the upstream gradient unchanged to every input.
        new(OpCode.Add, "add", 2, NAry, "a + b + ...", "1 to each input",
            static x =>
            {
                double sum = 0;
                foreach (double v in x) sum += v;
                return sum;
            },
            static (_, _, local) => local.Fill(1)),

        new(OpCode.Sub, "sub", 2, 2, "a - b", "1, -1",
            static x => x[0] - x[1],
            static (_, _, local) => { local[0] = 1; local[1] = -1; }),

        // mul switches: each input gets the product of the others (prefix and suffix products,
        // so a zero input needs no division).
        new(OpCode.Mul, "mul", 2, NAry, "a * b * ...", "product of the other inputs",
            static x =>
            {
                double product = 1;
                foreach (double v in x) product *= v;
                return product;
            },
            static (x, _, local) =>
            {
                double prefix = 1;
                for (int k = 0; k < x.Length; k++) { local[k] = prefix; prefix *= x[k]; }
                double suffix = 1;
                for (int k = x.Length - 1; k >= 0; k--) { local[k] *= suffix; suffix *= x[k]; }
            }),

        new(OpCode.Div, "div", 2, 2, "a / b", "1/b, -a/b^2",
            static x => x[0] / x[1],
            // -a/b^2 as -y/b: the same number, without b^2 overflowing when y is finite.
            static (x, y, local) => { local[0] = 1 / x[1]; local[1] = -y / x[1]; }),

        new(OpCode.Neg, "neg", 1, 1, "-a", "-1",
            static x => -x[0],
            static (_, _, local) => local[0] = -1),

        new(OpCode.Inv, "inv", 1, 1, "1/a", "-1/a^2",
            static x => 1 / x[0],
            static (x, _, local) => local[0] = -1 / (x[0] * x[0])),

        // The exponent's gradient a^b*ln(a) exists only for a > 0; elsewhere it is taken as 0.
        new(OpCode.Pow, "pow", 2, 2, "a^b", "b*a^(b-1); a^b*ln(a) for a > 0, else 0",
            static x => Math.Pow(x[0], x[1]),
            static (x, y, local) =>
            {
                double a = x[0], b = x[1];
                local[0] = b == 0 ? 0 : b * Math.Pow(a, b - 1);
                local[1] = a > 0 ? y * Math.Log(a) : 0;
            },
            // For a <= 0, a^b has no derivative in b: the 0 above is a convention.
            static (x, _) => x[0] <= 0),

        new(OpCode.Exp, "exp", 1, 1, "e^a", "e^a",
            static x => Math.Exp(x[0]),
            static (_, y, local) => local[0] = y),

        new(OpCode.Log, "log", 1, 1, "ln a", "1/a",
            static x => Math.Log(x[0]),
            static (x, _, local) => local[0] = 1 / x[0]),

        new(OpCode.Sqrt, "sqrt", 1, 1, "sqrt a", "1/(2 sqrt a)",
            static x => Math.Sqrt(x[0]),
            static (_, y, local) => local[0] = 0.5 / y),

        // s(1-s), computed from a as e/(1+e)^2 with e = e^-|a|: s(1-s) itself rounds to 0 once
        // s rounds to 1 (a > 37), long before the true slope underflows.
        new(OpCode.Sigmoid, "sigmoid", 1, 1, "1/(1+e^-a)", "s(1-s)",
            static x => Sigmoid(x[0]),
            static (x, _, local) =>
            {
                double e = Math.Exp(-Math.Abs(x[0]));
                local[0] = e / ((1 + e) * (1 + e));
            }),

        // 1-t^2, computed from a as 4e/(1+e)^2 with e = e^-2|a|, for the same reason (|a| > 19).
        new(OpCode.Tanh, "tanh", 1, 1, "tanh a", "1-t^2",
            static x => Math.Tanh(x[0]),
            static (x, _, local) =>
            {
                double e = Math.Exp(-2 * Math.Abs(x[0]));
                local[0] = 4 * e / ((1 + e) * (1 + e));
            }),

        new(OpCode.Relu, "relu", 1, 1, "max(a, 0)", "1 if a > 0 else 0",
            static x => x[0] > 0 ? x[0] : 0,
            static (x, _, local) => local[0] = x[0] > 0 ? 1 : 0,
            static (x, _) => x[0] == 0),

        new(OpCode.Abs, "abs", 1, 1, "|a|", "sign a (0 at 0)",
            static x => Math.Abs(x[0]),
            static (x, _, local) => local[0] = Math.Sign(x[0]),
            static (x, _) => x[0] == 0),

        new(OpCode.Sin, "sin", 1, 1, "sin a", "cos a",
            static x => Math.Sin(x[0]),
            static (x, _, local) => local[0] = Math.Cos(x[0])),

        new(OpCode.Cos, "cos", 1, 1, "cos a", "-sin a",
            static x => Math.Cos(x[0]),
            static (x, _, local) => local[0] = -Math.Sin(x[0])),

        // max and min route the whole gradient to the winner; a tie goes to the first winner.
        new(OpCode.Max, "max", 2, NAry, "the largest input", "1 to the first largest input, 0 to the others",
            static x => x[FirstMax(x)],
            static (x, _, local) => { local.Clear(); local[FirstMax(x)] = 1; },
            static (x, y) => IsTie(x, y)),

        new(OpCode.Min, "min", 2, NAry, "the smallest input", "1 to the first smallest input, 0 to the others",
            static x => x[FirstMin(x)],
            static (x, _, local) => { local.Clear(); local[FirstMin(x)] = 1; },
            static (x, y) => IsTie(x, y)),
    ];

    private static readonly Op[] ByCode = All.OrderBy(op => op.Code).ToArray();

    private static readonly FrozenDictionary<string, Op> ByName =
        All.ToFrozenDictionary(op => op.Name, StringComparer.Ordinal);

    /// <summary>The names of all ops, in table order.</summary>
    public static IEnumerable<string> Names => All.Select(op => op.Name);

    public static Op Get(OpCode code) => ByCode[(int)code];

    public static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Op? op) =>
        ByName.TryGetValue(name, out op);

    /// <summary>
    /// The op with the name <paramref name="utf8Name"/>, as a JSON reader has it. Every name is
    /// shorter than 8 bytes, so a name and its length are matched as one number against each op's.
    /// </summary>
    public static bool TryGet(ReadOnlySpan<byte> utf8Name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Op? op)
    {
        op = null;
        if (utf8Name.IsEmpty || utf8Name.Length >= sizeof(ulong)) return false;
        ulong packed = Pack(utf8Name);
        ulong[] names = PackedNames;
        for (int i = 0; i < names.Length; i++)
        {
            if (names[i] != packed) continue;
            op = ByCode[i];
            return true;
        }
        return false;
    }

    private static readonly ulong[] PackedNames = ByCode.Select(op => Pack(System.Text.Encoding.UTF8.GetBytes(op.Name))).ToArray();

    /// <summary>Up to 7 bytes, zero-padded, with their length in the 8th: one number per name.</summary>
    private static ulong Pack(ReadOnlySpan<byte> utf8)
    {
        Span<byte> padded = stackalloc byte[sizeof(ulong)];
        padded.Clear();
        utf8.CopyTo(padded);
        padded[^1] = (byte)utf8.Length;
        return BitConverter.ToUInt64(padded);
    }

    /// <summary>A sigmoid that never overflows: e^a/(1+e^a) for negative a.</summary>
    private static double Sigmoid(double a)
    {
        if (a >= 0) return 1 / (1 + Math.Exp(-a));
        double e = Math.Exp(a);
        return e / (1 + e);
    }

    private static int FirstMax(ReadOnlySpan<double> x)
    {
        int best = 0;
        for (int k = 1; k < x.Length; k++)
            if (x[k] > x[best]) best = k;
        return best;
    }

    private static int FirstMin(ReadOnlySpan<double> x)
    {
        int best = 0;
        for (int k = 1; k < x.Length; k++)
            if (x[k] < x[best]) best = k;
        return best;
    }

    private static bool IsTie(ReadOnlySpan<double> x, double y) => x.Count(y) > 1;
}
