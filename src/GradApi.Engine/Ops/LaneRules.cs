using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using V = System.Runtime.Intrinsics.Vector256<double>;

namespace GradApi.Engine.Ops;

/// <summary>
/// A gate of one input written once over four lanes: its value, and its value with its local
/// gradient. Its scalar rules are this form on a broadcast number (<see cref="LaneRules"/>), so the
/// scalar engine and every lane of the batch engine give the same bits.
/// </summary>
internal interface ILaneRule
{
    static abstract V Value(V a);

    static abstract V Train(V a, out V local);
}

/// <summary>Runs an <see cref="ILaneRule"/> on one number or on a row of lanes.</summary>
internal static class LaneRules
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Value<TRule>(double a) where TRule : struct, ILaneRule => TRule.Value(Vector256.Create(a)).ToScalar();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Train<TRule>(double a, out double local) where TRule : struct, ILaneRule
    {
        V y = TRule.Train(Vector256.Create(a), out V l);
        local = l.ToScalar();
        return y.ToScalar();
    }

    public static double Local<TRule>(double a) where TRule : struct, ILaneRule
    {
        Train<TRule>(a, out double local);
        return local;
    }

    /// <summary>
    /// The rule on every lane of <paramref name="a"/>: values into <paramref name="y"/> and, unless
    /// <paramref name="local"/> is empty, local gradients into it. The last few lanes, fewer than a
    /// vector, go through a padded copy: the same function on the same numbers.
    /// </summary>
    public static void Run<TRule>(ReadOnlySpan<double> a, Span<double> y, Span<double> local) where TRule : struct, ILaneRule
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(y.Length, a.Length, nameof(y));
        bool training = !local.IsEmpty;
        if (training) ArgumentOutOfRangeException.ThrowIfLessThan(local.Length, a.Length, nameof(local));
        ref double source = ref MemoryMarshal.GetReference(a);
        ref double value = ref MemoryMarshal.GetReference(y);
        ref double slope = ref MemoryMarshal.GetReference(local);
        int whole = a.Length - a.Length % V.Count;
        for (int i = 0; i < whole; i += V.Count)
        {
            V x = Vector256.LoadUnsafe(ref source, (nuint)i);
            if (training)
            {
                TRule.Train(x, out V l).StoreUnsafe(ref value, (nuint)i);
                l.StoreUnsafe(ref slope, (nuint)i);
            }
            else
            {
                TRule.Value(x).StoreUnsafe(ref value, (nuint)i);
            }
        }
        if (whole < a.Length) Tail<TRule>(a[whole..], y[whole..a.Length], training ? local[whole..a.Length] : default);
    }

    private static void Tail<TRule>(ReadOnlySpan<double> a, Span<double> y, Span<double> local) where TRule : struct, ILaneRule
    {
        Span<double> values = stackalloc double[V.Count];
        Span<double> slopes = stackalloc double[V.Count];
        a.CopyTo(values);
        V x = Vector256.Create(values);
        V l = default;
        V v = local.IsEmpty ? TRule.Value(x) : TRule.Train(x, out l);
        v.CopyTo(values);
        values[..y.Length].CopyTo(y);
        if (local.IsEmpty) return;
        l.CopyTo(slopes);
        slopes[..local.Length].CopyTo(local);
    }
}
