using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using V = System.Runtime.Intrinsics.Vector256<double>;

namespace GradApi.Engine.Ops;

/// <summary>
/// exp, log, tanh, sin and cos on four lanes at once, written once for both engines: the scalar
/// engine takes lane 0 of the four-lane form on a broadcast number (<see cref="LaneRules"/>), so a
/// batch lane and the scalar answer for the same sample have the same bits by construction, on any
/// machine.
/// </summary>
/// <remarks>
/// <para>
/// Only IEEE operations that round one way everywhere are used: +, -, *, /, fused multiply-add, floor,
/// comparisons, integer bit operations and the conversion of small integers, which is exact (no
/// estimates), so the bits do not depend on the CPU's vector width or on whether the JIT uses AVX,
/// SSE or its software fallback. Each function is within one or two ulp of the correctly rounded result
/// (<c>VectorMathTests</c> measures it against <see cref="Math"/>), as the C library's are within
/// about one: the service's numbers may differ from <see cref="Math"/>'s in the last bit.
/// </para>
/// <para>
/// The algorithms are the classic ones: exp and expm1 reduce by k ln 2 in two parts and take a
/// Taylor polynomial of degree 13; tanh takes its own Taylor series near 0 and expm1 beyond; log,
/// sin and cos are fdlibm's (reduction into [sqrt(2)/2, sqrt(2)) and its minimax polynomial for log;
/// Cody and Waite's three-part pi/2 and the kernels of degree 13 and 14 for sin and cos). The long
/// polynomials run in Estrin's scheme, for a short chain of dependent operations.
/// </para>
/// </remarks>
internal static class VectorMath
{
    /// <summary>1.5 * 2^52: adding it rounds a number below 2^51 in magnitude to an integer, held in the low bits.</summary>
    private const double Shifter = 6755399441055744.0;

    private const long ShifterBits = 0x4338000000000000;

    private const double Log2E = 1.4426950408889634;

    // ln 2 as the double nearest it plus the remainder.
    private const double Ln2Hi = 0.6931471805599453;
    private const double Ln2Lo = 2.3190468138462996e-17;

    /// <summary>Inputs clamped to [-746, 710] still overflow to infinity and underflow to 0 where exp does.</summary>
    private const double ExpMax = 710;
    private const double ExpMin = -746;

    /// <summary>e^x for each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Exp(V x)
    {
        x = Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(ExpMax)), Vector256.Create(ExpMax), x);
        x = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(ExpMin)), Vector256.Create(ExpMin), x);
        V r = Reduce(x, out V k);
        V y = Vector256.Create(1.0) + ExpMinusOne(r);

        // 2^k in two factors, each a normal number, so that y * 2^k rounds once, into the subnormals
        // below 2^-1022 and to infinity above 2^1024.
        V half = Vector256.Floor(k * 0.5);
        return y * PowerOfTwo(k - half) * PowerOfTwo(half);
    }

    /// <summary>e^x - 1 for each lane, accurate near 0; for x from -1 to 45 (what tanh needs).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V ExpM1(V x)
    {
        V r = Reduce(x, out V k);
        V scale = PowerOfTwo(k);
        // 2^k (e^r - 1) + (2^k - 1): both terms exact, one rounding.
        return Vector256.FusedMultiplyAdd(scale, ExpMinusOne(r), scale - Vector256.Create(1.0));
    }

    /// <summary>x = k ln 2 + r with k an integer and |r| at most about ln 2 / 2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Reduce(V x, out V k)
    {
        k = x * Log2E + Vector256.Create(Shifter) - Vector256.Create(Shifter);
        // x - k ln2hi is exact (both are multiples of 2^-53 and the difference is below 1/2).
        V r = Vector256.FusedMultiplyAdd(-k, Vector256.Create(Ln2Hi), x);
        return Vector256.FusedMultiplyAdd(-k, Vector256.Create(Ln2Lo), r);
    }

    /// <summary>
    /// e^r - 1 for |r| up to ln 2 / 2, as r + r^2 (1/2! + r/3! + ... + r^11/13!), the polynomial in
    /// Estrin's scheme: pairs, then pairs of pairs, so that its longest chain is five operations, not twelve.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V ExpMinusOne(V r)
    {
        V r2 = r * r;
        V r4 = r2 * r2;
        V p0 = Vector256.FusedMultiplyAdd(Vector256.Create(1.0 / 6), r, Vector256.Create(1.0 / 2));
        V p2 = Vector256.FusedMultiplyAdd(Vector256.Create(1.0 / 120), r, Vector256.Create(1.0 / 24));
        V p4 = Vector256.FusedMultiplyAdd(Vector256.Create(1.0 / 5040), r, Vector256.Create(1.0 / 720));
        V p6 = Vector256.FusedMultiplyAdd(Vector256.Create(1.0 / 362880), r, Vector256.Create(1.0 / 40320));
        V p8 = Vector256.FusedMultiplyAdd(Vector256.Create(1.0 / 39916800), r, Vector256.Create(1.0 / 3628800));
        V p10 = Vector256.FusedMultiplyAdd(Vector256.Create(1.0 / 6227020800), r, Vector256.Create(1.0 / 479001600));
        V q0 = Vector256.FusedMultiplyAdd(p2, r2, p0);
        V q1 = Vector256.FusedMultiplyAdd(p6, r2, p4);
        V q2 = Vector256.FusedMultiplyAdd(p10, r2, p8);
        V p = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(q2, r4, q1), r4, q0);
        return Vector256.FusedMultiplyAdd(r2, p, r);
    }

    /// <summary>2^k for integral k from -1022 to 1023.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V PowerOfTwo(V k)
    {
        Vector256<long> bits = (k + Vector256.Create(Shifter)).AsInt64() - Vector256.Create(ShifterBits - 1023);
        return Vector256.ShiftLeft(bits, 52).AsDouble();
    }

    /// <summary>Below this, tanh takes its Taylor series; from it on, e/(e + 2).</summary>
    private const double TanhSeriesMax = 0.55;

    /// <summary>
    /// tanh x for each lane, with the sign of x: for |x| below 0.55 its Taylor series in x^2 (to the
    /// x^39 term, within 2^-55 of the truth there); above, e/(e + 2) with e = e^(2|x|) - 1, which near 0
    /// would pass e's rounding on enlarged; 1 from |x| = 22 on, where tanh rounds to 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Tanh(V x)
    {
        V sign = x & Vector256.Create(-0.0);
        V a = Vector256.Abs(x);
        V small = Vector256.LessThan(a, Vector256.Create(TanhSeriesMax));
        V t = Vector256.Create(0.0);
        if (small != Vector256<double>.AllBitsSet) t = TanhLarge(a);
        if (small != Vector256<double>.Zero) t = Vector256.ConditionalSelect(small, TanhSeries(a), t);
        return t | sign;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V TanhLarge(V a)
    {
        V large = Vector256.GreaterThan(a, Vector256.Create(22.0));
        V e = ExpM1(Vector256.ConditionalSelect(large, Vector256.Create(22.0), a) * 2.0);
        return Vector256.ConditionalSelect(large, Vector256.Create(1.0), e / (e + Vector256.Create(2.0)));
    }

    /// <summary>
    /// a + a^3 (c1 + c2 a^2 + ... + c19 a^36), the Taylor coefficients of tanh rounded to doubles; the
    /// polynomial in a^2 in Estrin's scheme (its longest chain six operations, not eighteen).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V TanhSeries(V a)
    {
        V s = a * a;
        V s2 = s * s;
        V s4 = s2 * s2;
        V s8 = s4 * s4;
        V s16 = s8 * s8;
        V p0 = Vector256.FusedMultiplyAdd(Vector256.Create(0.13333333333333333), s, Vector256.Create(-0.3333333333333333));
        V p1 = Vector256.FusedMultiplyAdd(Vector256.Create(0.021869488536155203), s, Vector256.Create(-0.05396825396825397));
        V p2 = Vector256.FusedMultiplyAdd(Vector256.Create(0.003592128036572481), s, Vector256.Create(-0.008863235529902197));
        V p3 = Vector256.FusedMultiplyAdd(Vector256.Create(0.000590027440945586), s, Vector256.Create(-0.0014558343870513183));
        V p4 = Vector256.FusedMultiplyAdd(Vector256.Create(9.691537956929451e-05), s, Vector256.Create(-0.00023912911424355248));
        V p5 = Vector256.FusedMultiplyAdd(Vector256.Create(1.5918905069328964e-05), s, Vector256.Create(-3.927832388331683e-05));
        V p6 = Vector256.FusedMultiplyAdd(Vector256.Create(2.6147711512907546e-06), s, Vector256.Create(-6.451689215655431e-06));
        V p7 = Vector256.FusedMultiplyAdd(Vector256.Create(4.294911078273806e-07), s, Vector256.Create(-1.0597268320104654e-06));
        V p8 = Vector256.FusedMultiplyAdd(Vector256.Create(7.054636946400968e-08), s, Vector256.Create(-1.7406618963571648e-07));
        V q0 = Vector256.FusedMultiplyAdd(p1, s2, p0);
        V q1 = Vector256.FusedMultiplyAdd(p3, s2, p2);
        V q2 = Vector256.FusedMultiplyAdd(p5, s2, p4);
        V q3 = Vector256.FusedMultiplyAdd(p7, s2, p6);
        V o0 = Vector256.FusedMultiplyAdd(q1, s4, q0);
        V o1 = Vector256.FusedMultiplyAdd(q3, s4, q2);
        V low = Vector256.FusedMultiplyAdd(o1, s8, o0);
        V high = Vector256.FusedMultiplyAdd(Vector256.Create(-2.859136662305254e-08), s2, p8);
        V p = Vector256.FusedMultiplyAdd(high, s16, low);
        return Vector256.FusedMultiplyAdd(a * s, p, a);
    }

    // fdlibm's log: x = 2^k (1 + f) with 1 + f in [sqrt(2)/2, sqrt(2)), s = f / (2 + f),
    // log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2)).
    private const double Lg1 = 6.666666666666735130e-01;
    private const double Lg2 = 3.999999999940941908e-01;
    private const double Lg3 = 2.857142874366239149e-01;
    private const double Lg4 = 2.222219843214978396e-01;
    private const double Lg5 = 1.818357216161805012e-01;
    private const double Lg6 = 1.531383769920937332e-01;
    private const double Lg7 = 1.479819860511658591e-01;
    private const double LogLn2Hi = 6.93147180369123816490e-01;
    private const double LogLn2Lo = 1.90821492927058770002e-10;
    private const double SmallestNormal = 2.2250738585072014e-308;

    /// <summary>ln x for each lane: NaN below 0, -infinity at 0, infinity at infinity.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Log(V x)
    {
        // Subnormals are scaled up by 2^54 first.
        V subnormal = Vector256.LessThan(x, Vector256.Create(SmallestNormal));
        V scaled = Vector256.ConditionalSelect(subnormal, x * 18014398509481984.0, x);
        V k0 = Vector256.ConditionalSelect(subnormal, Vector256.Create(-54.0), V.Zero);

        // Moving the high word by 0x3ff00000 - 0x3fe6a09e puts the exponent step at sqrt(2).
        Vector256<long> bits = scaled.AsInt64() + Vector256.Create(0x00095F6200000000L);
        Vector256<long> exponent = Vector256.ShiftRightLogical(bits, 52) - Vector256.Create(1023L);
        V k = k0 + Vector256.ConvertToDouble(exponent);
        V m = ((bits & Vector256.Create(0x000FFFFFFFFFFFFFL)) + Vector256.Create(0x3FE6A09E00000000L)).AsDouble();

        V f = m - Vector256.Create(1.0);
        V hfsq = 0.5 * f * f;
        V s = f / (Vector256.Create(2.0) + f);
        V z = s * s;
        V w = z * z;
        V t1 = w * (Vector256.Create(Lg2) + w * (Vector256.Create(Lg4) + w * Lg6));
        V t2 = z * (Vector256.Create(Lg1) + w * (Vector256.Create(Lg3) + w * (Vector256.Create(Lg5) + w * Lg7)));
        V y = s * (hfsq + (t2 + t1)) + k * LogLn2Lo - hfsq + f + k * LogLn2Hi;

        y = Vector256.ConditionalSelect(Vector256.Equals(x, Vector256.Create(double.PositiveInfinity)), x, y);
        y = Vector256.ConditionalSelect(Vector256.Equals(x, V.Zero), Vector256.Create(double.NegativeInfinity), y);
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, V.Zero), y, Vector256.Create(double.NaN));
    }

    // Cody and Waite's pi/2 in three parts of 33 bits, each with its tail (fdlibm's __rem_pio2).
    private const double InvPio2 = 6.36619772367581382433e-01;
    private const double Pio2P1 = 1.57079632673412561417e+00;
    private const double Pio2P2 = 6.07710050630396597660e-11;
    private const double Pio2P2Tail = 2.02226624879595063154e-21;
    private const double Pio2P3 = 2.02226624871116645580e-21;
    private const double Pio2P3Tail = 8.47842766036889956997e-32;

    /// <summary>Beyond this (2^20 pi/2 and a little less), a lane takes <see cref="Math.Sin"/> and <see cref="Math.Cos"/>.</summary>
    private const double ReduceMax = 1.6e6;

    // fdlibm's kernels on [-pi/4, pi/4].
    private const double S1 = -1.66666666666666324348e-01;
    private const double S2 = 8.33333333332248946124e-03;
    private const double S3 = -1.98412698298579493134e-04;
    private const double S4 = 2.75573137070700676789e-06;
    private const double S5 = -2.50507602534068634195e-08;
    private const double S6 = 1.58969099521155010221e-10;
    private const double C1 = 4.16666666666666019037e-02;
    private const double C2 = -1.38888888888741095749e-03;
    private const double C3 = 2.48015872894767294178e-05;
    private const double C4 = -2.75573143513906633035e-07;
    private const double C5 = 2.08757232129817482790e-09;
    private const double C6 = -1.13596475577881948265e-11;

    /// <summary>sin x and cos x for each lane, from one reduction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SinCos(V x, out V sin, out V cos)
    {
        // x = n pi/2 + (y0 + y1), |y0 + y1| <= pi/4; n's low bits are those of t's.
        V t = x * InvPio2 + Vector256.Create(Shifter);
        V n = t - Vector256.Create(Shifter);
        Vector256<long> quadrant = t.AsInt64();
        V r = x - n * Pio2P1;
        V u = r;
        V w = n * Pio2P2;
        r = u - w;
        w = n * Pio2P2Tail - (u - r - w);
        u = r;
        w = n * Pio2P3;
        r = u - w;
        w = n * Pio2P3Tail - (u - r - w);
        V y0 = r - w;
        V y1 = r - y0 - w;

        V ks = KernelSin(y0, y1);
        V kc = KernelCos(y0, y1);
        V odd = (quadrant & Vector256.Create(1L)).AsDouble();
        V swap = Vector256.Equals(odd, V.Zero);
        V sinSign = Vector256.ShiftLeft(quadrant & Vector256.Create(2L), 62).AsDouble();
        V cosSign = Vector256.ShiftLeft((quadrant + Vector256.Create(1L)) & Vector256.Create(2L), 62).AsDouble();
        sin = Vector256.ConditionalSelect(swap, ks, kc) ^ sinSign;
        cos = Vector256.ConditionalSelect(swap, kc, ks) ^ cosSign;
        sin = Vector256.ConditionalSelect(Vector256.Equals(x, V.Zero), x, sin); // sin(-0) is -0

        if (Vector256.GreaterThanAny(Vector256.Abs(x), Vector256.Create(ReduceMax))) Large(x, ref sin, ref cos);
    }

    /// <summary>Lanes too large for the three-part reduction (and infinities) take the C library's answer.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Large(V x, ref V sin, ref V cos)
    {
        Span<double> s = stackalloc double[V.Count];
        Span<double> c = stackalloc double[V.Count];
        sin.CopyTo(s);
        cos.CopyTo(c);
        for (int i = 0; i < V.Count; i++)
        {
            double a = x.GetElement(i);
            if (Math.Abs(a) > ReduceMax) (s[i], c[i]) = (Math.Sin(a), Math.Cos(a));
        }
        sin = Vector256.Create(s);
        cos = Vector256.Create(c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V KernelSin(V x, V y)
    {
        V z = x * x;
        V w = z * z;
        V r = Vector256.Create(S2) + z * (Vector256.Create(S3) + z * S4) + z * w * (Vector256.Create(S5) + z * S6);
        V v = z * x;
        return x - (z * (0.5 * y - v * r) - y - v * S1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V KernelCos(V x, V y)
    {
        V z = x * x;
        V w = z * z;
        V r = z * (Vector256.Create(C1) + z * (Vector256.Create(C2) + z * C3)) + w * w * (Vector256.Create(C4) + z * (Vector256.Create(C5) + z * C6));
        V hz = 0.5 * z;
        w = Vector256.Create(1.0) - hz;
        return w + (Vector256.Create(1.0) - w - hz + (z * r - x * y));
    }
}
