using System.Collections.Frozen;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using V = System.Runtime.Intrinsics.Vector256<double>;

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
            static x => Sub(x[0], x[1]),
            static (x, y, local) => SubLocal(x[0], x[1], y, out local[0], out local[1])),

        // mul switches: each input gets the product of the others (prefix and suffix products,
        // so a zero input needs no division).
        new(OpCode.Mul, "mul", 2, NAry, "a * b * ...", "product of the other inputs",
            static x =>
            {
                double product = 1;
                foreach (double v in x) product *= v;
                // Finite inputs make NaN only as infinity * 0: a partial product that overflowed, times a
                // zero input. The product is then 0, in whatever order the inputs come.
                return double.IsNaN(product) && x.Contains(0.0) ? 0 : product;
            },
            static (x, _, local) =>
            {
                double prefix = 1;
                for (int k = 0; k < x.Length; k++) { local[k] = prefix; prefix *= x[k]; }
                double suffix = 1;
                for (int k = x.Length - 1; k >= 0; k--) { local[k] *= suffix; suffix *= x[k]; }
            }),

        new(OpCode.Div, "div", 2, 2, "a / b", "1/b, -a/b^2",
            static x => Div(x[0], x[1]),
            static (x, y, local) => DivLocal(x[0], x[1], y, out local[0], out local[1])),

        new(OpCode.Neg, "neg", 1, 1, "-a", "-1", static x => Neg(x[0]), static (x, y, local) => local[0] = NegLocal(x[0], y)),
        new(OpCode.Inv, "inv", 1, 1, "1/a", "-1/a^2", static x => Inv(x[0]), static (x, y, local) => local[0] = InvLocal(x[0], y)),

        new(OpCode.Pow, "pow", 2, 2, "a^b", "b*a^(b-1); a^b*ln(a) for a > 0, else 0",
            static x => Pow(x[0], x[1]),
            static (x, y, local) => PowLocal(x[0], x[1], y, out local[0], out local[1]),
            // For a <= 0, a^b has no derivative in b: the 0 of PowLocal is a convention.
            static (x, _) => x[0] <= 0),

        new(OpCode.Exp, "exp", 1, 1, "e^a", "e^a", static x => Exp(x[0]), static (x, y, local) => local[0] = ExpLocal(x[0], y)),
        new(OpCode.Log, "log", 1, 1, "ln a", "1/a", static x => Log(x[0]), static (x, y, local) => local[0] = LogLocal(x[0], y)),
        new(OpCode.Sqrt, "sqrt", 1, 1, "sqrt a", "1/(2 sqrt a)", static x => Sqrt(x[0]), static (x, y, local) => local[0] = SqrtLocal(x[0], y)),
        new(OpCode.Sigmoid, "sigmoid", 1, 1, "1/(1+e^-a)", "s(1-s)", static x => Sigmoid(x[0]), static (x, y, local) => local[0] = SigmoidLocal(x[0], y)),
        new(OpCode.Tanh, "tanh", 1, 1, "tanh a", "1-t^2", static x => Tanh(x[0]), static (x, y, local) => local[0] = TanhLocal(x[0], y)),

        new(OpCode.Relu, "relu", 1, 1, "max(a, 0)", "1 if a > 0 else 0",
            static x => Relu(x[0]),
            static (x, y, local) => local[0] = ReluLocal(x[0], y),
            static (x, _) => x[0] == 0),

        new(OpCode.Abs, "abs", 1, 1, "|a|", "sign a (0 at 0)",
            static x => Abs(x[0]),
            static (x, y, local) => local[0] = AbsLocal(x[0], y),
            static (x, _) => x[0] == 0),

        new(OpCode.Sin, "sin", 1, 1, "sin a", "cos a", static x => Sin(x[0]), static (x, y, local) => local[0] = SinLocal(x[0], y)),
        new(OpCode.Cos, "cos", 1, 1, "cos a", "-sin a", static x => Cos(x[0]), static (x, y, local) => local[0] = CosLocal(x[0], y)),

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

    // The rules of the gates of one and two inputs, forward and local gradient side by side. The
    // table's rules above call these, and so does the engine, through one switch per node
    // (Forward1, Train1, Forward2, Train2 below) that the JIT turns into a jump to inlined code.
    //
    // Beside each op's scalar rules stands its rule over lanes, for the batch engine: the same op
    // on a row of samples, y[i] and local[i] computed from a[i] (and b[i]) for every lane i, giving
    // the same bits as the scalar rules lane by lane. An empty `local` asks for values only
    // (inference). IEEE arithmetic and sqrt are correctly rounded, so the TensorPrimitives calls
    // below are exact. TensorPrimitives' Exp, Log, Tanh, Sigmoid, Sin and Cos are not the same
    // functions as Math's (1 to 4 ulp apart, more for Tanh near 0: see LaneRuleTests), so exp, log,
    // sigmoid, tanh, sin and cos are written once, over four lanes, in VectorMath: their rules below
    // are ILaneRules whose scalar form is the four-lane form on a broadcast number. pow alone runs
    // its scalar rule (Math.Pow) lane by lane.

    private static double Neg(double a) => -a;
    private static double NegLocal(double a, double y) => -1;

    private static void NegLanes(ReadOnlySpan<double> a, Span<double> y, Span<double> local)
    {
        TensorPrimitives.Negate(a, y);
        local.Fill(-1);
    }

    private static double Inv(double a) => 1 / a;
    private static double InvLocal(double a, double y) => -1 / (a * a);

    private static void InvLanes(ReadOnlySpan<double> a, Span<double> y, Span<double> local)
    {
        TensorPrimitives.Divide(1.0, a, y);
        if (local.IsEmpty) return;
        TensorPrimitives.Multiply(a, a, local);
        TensorPrimitives.Divide(-1.0, local, local);
    }

    private static double Exp(double a) => LaneRules.Value<ExpRule>(a);
    private static double ExpLocal(double a, double y) => y;

    private readonly struct ExpRule : ILaneRule
    {
        public static V Value(V a) => VectorMath.Exp(a);

        public static V Train(V a, out V local) => local = VectorMath.Exp(a);
    }

    private static double Log(double a) => LaneRules.Value<LogRule>(a);
    private static double LogLocal(double a, double y) => 1 / a;

    private readonly struct LogRule : ILaneRule
    {
        public static V Value(V a) => VectorMath.Log(a);

        public static V Train(V a, out V local)
        {
            local = Vector256.Create(1.0) / a;
            return VectorMath.Log(a);
        }
    }

    private static double Sqrt(double a) => Math.Sqrt(a);
    private static double SqrtLocal(double a, double y) => 0.5 / y;

    private static void SqrtLanes(ReadOnlySpan<double> a, Span<double> y, Span<double> local)
    {
        TensorPrimitives.Sqrt(a, y);
        if (!local.IsEmpty) TensorPrimitives.Divide(0.5, y, local);
    }

    private static double Sigmoid(double a) => LaneRules.Value<SigmoidRule>(a);
    private static double SigmoidLocal(double a, double y) => LaneRules.Local<SigmoidRule>(a);

    // A sigmoid that never overflows: 1/(1+e) for a >= 0 and e/(1+e) below, with e = e^-|a|.
    // The slope s(1-s) is computed from a as e/(1+e)^2 with the same e: s(1-s) itself rounds to 0
    // once s rounds to 1 (a > 37), long before the true slope underflows.
    private readonly struct SigmoidRule : ILaneRule
    {
        public static V Value(V a)
        {
            V e = VectorMath.Exp(-Vector256.Abs(a));
            return Sigmoid(a, e, Vector256.Create(1.0) + e);
        }

        public static V Train(V a, out V local)
        {
            V e = VectorMath.Exp(-Vector256.Abs(a));
            V onePlus = Vector256.Create(1.0) + e;
            local = e / (onePlus * onePlus);
            return Sigmoid(a, e, onePlus);
        }

        private static V Sigmoid(V a, V e, V onePlus) =>
            Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(a, V.Zero), Vector256.Create(1.0) / onePlus, e / onePlus);
    }

    private static double Tanh(double a) => LaneRules.Value<TanhRule>(a);
    private static double TanhLocal(double a, double y) => LaneRules.Local<TanhRule>(a);

    // 1-t^2, computed from a as 4e/(1+e)^2 with e = e^-2|a|, for the same reason (|a| > 19).
    private readonly struct TanhRule : ILaneRule
    {
        public static V Value(V a) => VectorMath.Tanh(a);

        public static V Train(V a, out V local)
        {
            V e = VectorMath.Exp(Vector256.Abs(a) * -2.0);
            V onePlus = Vector256.Create(1.0) + e;
            local = e * 4.0 / (onePlus * onePlus);
            return VectorMath.Tanh(a);
        }
    }

    private static double Relu(double a) => a > 0 ? a : 0;
    private static double ReluLocal(double a, double y) => a > 0 ? 1 : 0;

    // max(a, 0) of TensorPrimitives takes +0 over -0, as a > 0 ? a : 0 does.
    private static void ReluLanes(ReadOnlySpan<double> a, Span<double> y, Span<double> local)
    {
        TensorPrimitives.Max(a, 0.0, y);
        if (!local.IsEmpty) LaneSelect.Positive(a, local);
    }

    private static double Abs(double a) => Math.Abs(a);
    private static double AbsLocal(double a, double y) => Math.Sign(a);

    private static void AbsLanes(ReadOnlySpan<double> a, Span<double> y, Span<double> local)
    {
        TensorPrimitives.Abs(a, y);
        if (!local.IsEmpty) LaneSelect.Sign(a, local);
    }

    private static double Sin(double a) => LaneRules.Value<SinRule>(a);
    private static double SinLocal(double a, double y) => LaneRules.Local<SinRule>(a);

    // One reduction serves the value and the local gradient.
    private readonly struct SinRule : ILaneRule
    {
        public static V Value(V a) => Train(a, out _);

        public static V Train(V a, out V local)
        {
            VectorMath.SinCos(a, out V sin, out local);
            return sin;
        }
    }

    private static double Cos(double a) => LaneRules.Value<CosRule>(a);
    private static double CosLocal(double a, double y) => LaneRules.Local<CosRule>(a);

    private readonly struct CosRule : ILaneRule
    {
        public static V Value(V a) => Train(a, out _);

        public static V Train(V a, out V local)
        {
            VectorMath.SinCos(a, out V sin, out V cos);
            local = -sin;
            return cos;
        }
    }

    private static double Sub(double a, double b) => a - b;

    private static void SubLocal(double a, double b, double y, out double da, out double db)
    {
        da = 1;
        db = -1;
    }

    private static void SubLanes(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> y, Span<double> da, Span<double> db)
    {
        TensorPrimitives.Subtract(a, b, y);
        da.Fill(1);
        db.Fill(-1);
    }

    private static double Div(double a, double b) => a / b;

    // -a/b^2 as -y/b: the same number, without b^2 overflowing when y is finite.
    private static void DivLocal(double a, double b, double y, out double da, out double db)
    {
        da = 1 / b;
        db = -y / b;
    }

    // -y/b as -(y/b): division rounds symmetrically, so the sign can go last.
    private static void DivLanes(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> y, Span<double> da, Span<double> db)
    {
        TensorPrimitives.Divide(a, b, y);
        if (da.IsEmpty) return;
        TensorPrimitives.Divide(1.0, b, da);
        TensorPrimitives.Divide(y, b, db);
        TensorPrimitives.Negate(db, db);
    }

    // pow keeps the C library's pow and log: one function of two arguments, run lane by lane.
    private static double Pow(double a, double b) => Math.Pow(a, b);

    // The exponent's gradient a^b*ln(a) exists only for a > 0; elsewhere it is taken as 0.
    private static void PowLocal(double a, double b, double y, out double da, out double db)
    {
        da = b == 0 ? 0 : b * Math.Pow(a, b - 1);
        db = a > 0 ? y * Math.Log(a) : 0;
    }

    private static void PowLanes(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> y, Span<double> da, Span<double> db)
    {
        for (int i = 0; i < a.Length; i++)
        {
            y[i] = Pow(a[i], b[i]);
            if (!da.IsEmpty) PowLocal(a[i], b[i], y[i], out da[i], out db[i]);
        }
    }

    // The n-ary gates with two inputs: the same numbers as their rules in the table above
    // (the sum starts at 0, so -0 + -0 is 0 there as here; a tie goes to the first input).
    private static double Add2(double a, double b) => 0 + a + b;

    // (a + b) + 0 is 0 + a + b: both differ from a + b only when a and b are -0.
    private static void Add2Lanes(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> y, Span<double> da, Span<double> db)
    {
        TensorPrimitives.Add(a, b, y);
        TensorPrimitives.Add(y, 0.0, y);
        da.Fill(1);
        db.Fill(1);
    }

    private static double Mul2(double a, double b) => a * b;

    private static void Mul2Local(double a, double b, double y, out double da, out double db)
    {
        da = b;
        db = a;
    }

    private static void Mul2Lanes(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> y, Span<double> da, Span<double> db)
    {
        TensorPrimitives.Multiply(a, b, y);
        if (da.IsEmpty) return;
        b.CopyTo(da);
        a.CopyTo(db);
    }

    private static double Max2(double a, double b) => b > a ? b : a;

    private static double Min2(double a, double b) => b < a ? b : a;

    /// <summary>The value of a gate of one input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Forward1(OpCode code, double a) => code switch
    {
        OpCode.Neg => Neg(a),
        OpCode.Inv => Inv(a),
        OpCode.Exp => Exp(a),
        OpCode.Log => Log(a),
        OpCode.Sqrt => Sqrt(a),
        OpCode.Sigmoid => Sigmoid(a),
        OpCode.Tanh => Tanh(a),
        OpCode.Relu => Relu(a),
        OpCode.Abs => Abs(a),
        OpCode.Sin => Sin(a),
        OpCode.Cos => Cos(a),
        _ => throw NotOfArity(code, 1),
    };

    /// <summary>The value of a gate of one input, and its local gradient.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Train1(OpCode code, double a, out double local)
    {
        double y;
        switch (code)
        {
            case OpCode.Neg: y = Neg(a); local = NegLocal(a, y); return y;
            case OpCode.Inv: y = Inv(a); local = InvLocal(a, y); return y;
            case OpCode.Exp: return LaneRules.Train<ExpRule>(a, out local);
            case OpCode.Log: return LaneRules.Train<LogRule>(a, out local);
            case OpCode.Sqrt: y = Sqrt(a); local = SqrtLocal(a, y); return y;
            case OpCode.Sigmoid: return LaneRules.Train<SigmoidRule>(a, out local);
            case OpCode.Tanh: return LaneRules.Train<TanhRule>(a, out local);
            case OpCode.Relu: y = Relu(a); local = ReluLocal(a, y); return y;
            case OpCode.Abs: y = Abs(a); local = AbsLocal(a, y); return y;
            case OpCode.Sin: return LaneRules.Train<SinRule>(a, out local);
            case OpCode.Cos: return LaneRules.Train<CosRule>(a, out local);
            default: throw NotOfArity(code, 1);
        }
    }

    /// <summary>The value of a gate of two inputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Forward2(OpCode code, double a, double b) => code switch
    {
        OpCode.Add => Add2(a, b),
        OpCode.Sub => Sub(a, b),
        OpCode.Mul => Mul2(a, b),
        OpCode.Div => Div(a, b),
        OpCode.Pow => Pow(a, b),
        OpCode.Max => Max2(a, b),
        OpCode.Min => Min2(a, b),
        _ => throw NotOfArity(code, 2),
    };

    /// <summary>The value of a gate of two inputs, and its local gradients.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Train2(OpCode code, double a, double b, out double da, out double db)
    {
        double y;
        switch (code)
        {
            case OpCode.Add: y = Add2(a, b); da = db = 1; return y;
            case OpCode.Sub: y = Sub(a, b); SubLocal(a, b, y, out da, out db); return y;
            case OpCode.Mul: y = Mul2(a, b); Mul2Local(a, b, y, out da, out db); return y;
            case OpCode.Div: y = Div(a, b); DivLocal(a, b, y, out da, out db); return y;
            case OpCode.Pow: y = Pow(a, b); PowLocal(a, b, y, out da, out db); return y;
            case OpCode.Max: y = Max2(a, b); (da, db) = b > a ? (0d, 1d) : (1d, 0d); return y;
            case OpCode.Min: y = Min2(a, b); (da, db) = b < a ? (0d, 1d) : (1d, 0d); return y;
            default: throw NotOfArity(code, 2);
        }
    }

    /// <summary>
    /// Whether every local gradient of <paramref name="code"/> is a constant, whatever its inputs:
    /// add's 1s, sub's 1 and -1, neg's -1. The batch engine keeps no row for them; backward adds or
    /// subtracts the grad instead, which gives the same bits as multiplying it by 1 or -1.
    /// </summary>
    internal static bool HasConstantLocals(OpCode code) => code is OpCode.Add or OpCode.Sub or OpCode.Neg;

    /// <summary>The constant local gradient of input <paramref name="input"/> of an op for which <see cref="HasConstantLocals"/> holds.</summary>
    internal static double ConstantLocal(OpCode code, int input) => code switch
    {
        OpCode.Add => 1,
        OpCode.Sub => input == 0 ? 1 : -1,
        OpCode.Neg => -1,
        _ => throw new InvalidOperationException($"The op {Get(code).Name} has local gradients that depend on its inputs."),
    };

    /// <summary>
    /// A gate of one input over lanes: its values into <paramref name="y"/> and, unless
    /// <paramref name="local"/> is empty, its local gradients. Lane i holds what
    /// <see cref="Train1"/> gives for <c>a[i]</c>. <paramref name="y"/> must not overlap <paramref name="a"/>.
    /// </summary>
    internal static void Lanes1(OpCode code, ReadOnlySpan<double> a, Span<double> y, Span<double> local)
    {
        switch (code)
        {
            case OpCode.Neg: NegLanes(a, y, local); break;
            case OpCode.Inv: InvLanes(a, y, local); break;
            case OpCode.Exp: LaneRules.Run<ExpRule>(a, y, local); break;
            case OpCode.Log: LaneRules.Run<LogRule>(a, y, local); break;
            case OpCode.Sqrt: SqrtLanes(a, y, local); break;
            case OpCode.Sigmoid: LaneRules.Run<SigmoidRule>(a, y, local); break;
            case OpCode.Tanh: LaneRules.Run<TanhRule>(a, y, local); break;
            case OpCode.Relu: ReluLanes(a, y, local); break;
            case OpCode.Abs: AbsLanes(a, y, local); break;
            case OpCode.Sin: LaneRules.Run<SinRule>(a, y, local); break;
            case OpCode.Cos: LaneRules.Run<CosRule>(a, y, local); break;
            default: throw NotOfArity(code, 1);
        }
    }

    /// <summary>
    /// A gate of two inputs over lanes, as <see cref="Train2"/> lane by lane; <paramref name="da"/> and
    /// <paramref name="db"/> both empty ask for values only.
    /// </summary>
    internal static void Lanes2(OpCode code, ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> y, Span<double> da, Span<double> db)
    {
        switch (code)
        {
            case OpCode.Add: Add2Lanes(a, b, y, da, db); break;
            case OpCode.Sub: SubLanes(a, b, y, da, db); break;
            case OpCode.Mul: Mul2Lanes(a, b, y, da, db); break;
            case OpCode.Div: DivLanes(a, b, y, da, db); break;
            case OpCode.Pow: PowLanes(a, b, y, da, db); break;
            case OpCode.Max: LaneSelect.Pick(a, b, y, da, db, largest: true); break;
            case OpCode.Min: LaneSelect.Pick(a, b, y, da, db, largest: false); break;
            default: throw NotOfArity(code, 2);
        }
    }

    /// <summary>
    /// An n-ary gate (add, mul, max, min) of three or more inputs over lanes: lane i holds what the
    /// table's rules give for the inputs' lane i. <paramref name="local"/> with no rows asks for values
    /// only; <paramref name="scratch"/> is a row the rules may write.
    /// </summary>
    internal static void LanesN(OpCode code, LaneRows x, Span<double> y, LaneRows local, Span<double> scratch)
    {
        bool training = local.Count > 0;
        switch (code)
        {
            case OpCode.Add:
                // ((x0 + x1) + ...) + 0 is 0 + x0 + x1 + ...: they differ only when every input is -0.
                TensorPrimitives.Add(x[0], x[1], y);
                for (int k = 2; k < x.Count; k++) TensorPrimitives.Add(y, x[k], y);
                TensorPrimitives.Add(y, 0.0, y);
                for (int k = 0; k < local.Count; k++) local[k].Fill(1);
                break;
            case OpCode.Mul:
                TensorPrimitives.Multiply(x[0], x[1], y);
                for (int k = 2; k < x.Count; k++) TensorPrimitives.Multiply(y, x[k], y);
                if (!TensorPrimitives.IsFiniteAll(y)) ZeroFactorWins(x, y);
                if (training) MulLanesLocal(x, local, scratch);
                break;
            case OpCode.Max:
            case OpCode.Min:
                // The first winner, as FirstMax and FirstMin: scratch holds each lane's winner so far.
                bool largest = code == OpCode.Max;
                x[0].CopyTo(y);
                scratch.Clear();
                for (int k = 1; k < x.Count; k++) LaneSelect.PickFirst(x[k], k, y, scratch, largest);
                for (int k = 0; k < local.Count; k++) LaneSelect.Indicator(scratch, k, local[k]);
                break;
            default:
                throw NotOfArity(code, x.Count);
        }
    }

    /// <summary>mul's rule for a product that came out NaN: infinity * 0, so a zero input makes it 0.</summary>
    private static void ZeroFactorWins(LaneRows x, Span<double> y)
    {
        for (int i = 0; i < y.Length; i++)
        {
            if (!double.IsNaN(y[i])) continue;
            for (int k = 0; k < x.Count; k++)
                if (x[k][i] == 0) { y[i] = 0; break; }
        }
    }

    /// <summary>mul's local gradients over lanes: the prefix and suffix products of its rule, row by row.</summary>
    private static void MulLanesLocal(LaneRows x, LaneRows local, Span<double> suffix)
    {
        int n = x.Count;
        local[0].Fill(1);
        x[0].CopyTo(local[1]);
        for (int k = 2; k < n; k++) TensorPrimitives.Multiply(local[k - 1], x[k - 1], local[k]);
        x[n - 1].CopyTo(suffix);
        for (int k = n - 2; k >= 0; k--)
        {
            TensorPrimitives.Multiply(local[k], suffix, local[k]);
            if (k > 0) TensorPrimitives.Multiply(suffix, x[k], suffix);
        }
    }

    private static InvalidOperationException NotOfArity(OpCode code, int arity) =>
        new($"The op {Get(code).Name} has no rule for {arity} inputs.");

    private static readonly Op[] ByCode = All.OrderBy(op => op.Code).ToArray();

    private static readonly FrozenDictionary<string, Op> ByName =
        All.ToFrozenDictionary(op => op.Name, StringComparer.Ordinal);

    /// <summary>The names of all ops, in table order.</summary>
    public static IEnumerable<string> Names => All.Select(op => op.Name);

    public static Op Get(OpCode code) => ByCode[(int)code];

    public static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Op? op) =>
        ByName.TryGetValue(name, out op);

    /// <summary>The op with the name <paramref name="utf8Name"/>, as a JSON reader has it, whatever its length.</summary>
    public static bool TryGet(ReadOnlySpan<byte> utf8Name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Op? op)
    {
        int code = CodesByName.IndexOf(utf8Name);
        op = code >= 0 ? ByCode[code] : null;
        return op is not null;
    }

    private static readonly OpNames CodesByName = new(ByCode.Select(op => op.Name).ToArray());

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
