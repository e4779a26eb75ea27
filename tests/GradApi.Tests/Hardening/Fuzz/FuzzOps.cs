namespace GradApi.Tests.Hardening.Fuzz;

/// <summary>An op as GET /v1/ops lists it: its name and how many inputs it takes.</summary>
internal sealed record FuzzOp(string Name, int MinArity, int MaxArity)
{
    public bool IsLeaf => MaxArity == 0;

    /// <summary>Reads the arity column of GET /v1/ops: <c>0</c>, <c>1</c>, <c>2</c> or <c>&gt;= 2</c>.</summary>
    public static FuzzOp From(string name, string arity)
    {
        if (int.TryParse(arity, out int exact)) return new(name, exact, exact);
        if (arity.StartsWith(">=", StringComparison.Ordinal) && int.TryParse(arity[2..], out int least))
            return new(name, least, least + 2);
        throw new InvalidOperationException($"GET /v1/ops gives {name} the arity '{arity}': teach FuzzOp.From to read it.");
    }
}

/// <summary>
/// The referee: every op of the contract written out again, sharing no code with the engine, and
/// how far an op's inputs are from a point where it is undefined or not differentiable.
/// </summary>
internal static class FuzzReference
{
    public static double Apply(string op, ReadOnlySpan<double> x) => op switch
    {
        "add" => Sum(x),
        "sub" => x[0] - x[1],
        "mul" => Product(x),
        "div" => x[0] / x[1],
        "neg" => -x[0],
        "inv" => 1 / x[0],
        "pow" => Math.Pow(x[0], x[1]),
        "exp" => Math.Exp(x[0]),
        "log" => Math.Log(x[0]),
        "sqrt" => Math.Sqrt(x[0]),
        // e^a / (1 + e^a) for a < 0: at a = -745 that is 5e-324, not the 0 that 1 / (1 + e^745) rounds to.
        "sigmoid" => x[0] >= 0 ? 1 / (1 + Math.Exp(-x[0])) : Math.Exp(x[0]) / (1 + Math.Exp(x[0])),
        "tanh" => Math.Tanh(x[0]),
        "relu" => x[0] > 0 ? x[0] : 0,
        "abs" => Math.Abs(x[0]),
        "sin" => Math.Sin(x[0]),
        "cos" => Math.Cos(x[0]),
        "max" => Max(x),
        "min" => -Max(Negated(x)),
        _ => throw new NotSupportedException($"GET /v1/ops lists '{op}', which the fuzz test's reference does not know: add it to FuzzReference."),
    };

    /// <summary>
    /// The distance from the inputs to the nearest point where the op is undefined, singular or has a
    /// kink: 0 of log, sqrt, inv, a divisor and pow's base; relu and abs at 0; a max/min tie between
    /// different sources (the same node named twice is no kink). Infinity for ops smooth everywhere.
    /// </summary>
    public static double Margin(string op, ReadOnlySpan<double> x, ReadOnlySpan<int> sources) => op switch
    {
        "log" or "sqrt" or "pow" => x[0],
        "inv" or "relu" or "abs" => Math.Abs(x[0]),
        "div" => Math.Abs(x[1]),
        "max" or "min" => TieGap(op, x, sources),
        _ => double.PositiveInfinity,
    };

    private static double TieGap(string op, ReadOnlySpan<double> x, ReadOnlySpan<int> sources)
    {
        int winner = 0;
        for (int k = 1; k < x.Length; k++)
            if (op == "max" ? x[k] > x[winner] : x[k] < x[winner]) winner = k;
        double gap = double.PositiveInfinity;
        for (int k = 0; k < x.Length; k++)
            if (sources[k] != sources[winner]) gap = Math.Min(gap, Math.Abs(x[k] - x[winner]));
        return gap;
    }

    private static double Sum(ReadOnlySpan<double> x)
    {
        double sum = 0;
        foreach (double v in x) sum += v;
        return sum;
    }

    /// <summary>The product; exactly 0 when a factor is 0, even where the others' product overflows.</summary>
    private static double Product(ReadOnlySpan<double> x)
    {
        foreach (double v in x)
            if (v == 0) return 0;
        double product = 1;
        foreach (double v in x) product *= v;
        return product;
    }

    private static double Max(ReadOnlySpan<double> x)
    {
        double max = x[0];
        foreach (double v in x)
            if (v > max || double.IsNaN(v)) max = v;
        return max;
    }

    private static double[] Negated(ReadOnlySpan<double> x)
    {
        var negated = new double[x.Length];
        for (int k = 0; k < x.Length; k++) negated[k] = -x[k];
        return negated;
    }
}
