using System.Numerics;

namespace GradApi.Engine.Ops;

/// <summary>
/// The lane rules that choose rather than compute: relu's and abs's slopes, and max and min, whose
/// tie goes to the first winner. TensorPrimitives has no comparison that yields a choice per lane
/// (its Max takes +0 over -0 where max's rule keeps the first of two equal inputs), so these few are
/// written with <see cref="Vector{T}"/>: compare, then select.
/// </summary>
internal static class LaneSelect
{
    /// <summary>local[i] = a[i] &gt; 0 ? 1 : 0, relu's slope.</summary>
    public static void Positive(ReadOnlySpan<double> a, Span<double> local)
    {
        int i = 0;
        for (; i <= a.Length - Vector<double>.Count; i += Vector<double>.Count)
        {
            var va = new Vector<double>(a[i..]);
            Vector.ConditionalSelect(Vector.GreaterThan(va, Vector<double>.Zero), Vector<double>.One, Vector<double>.Zero)
                .CopyTo(local[i..]);
        }
        for (; i < a.Length; i++) local[i] = a[i] > 0 ? 1 : 0;
    }

    /// <summary>local[i] = Math.Sign(a[i]): -1, 0 (for either zero) or 1, abs's slope.</summary>
    public static void Sign(ReadOnlySpan<double> a, Span<double> local)
    {
        int i = 0;
        for (; i <= a.Length - Vector<double>.Count; i += Vector<double>.Count)
        {
            var va = new Vector<double>(a[i..]);
            Vector<double> positive = Vector.ConditionalSelect(Vector.GreaterThan(va, Vector<double>.Zero), Vector<double>.One, Vector<double>.Zero);
            Vector<double> negative = Vector.ConditionalSelect(Vector.LessThan(va, Vector<double>.Zero), Vector<double>.One, Vector<double>.Zero);
            (positive - negative).CopyTo(local[i..]);
        }
        for (; i < a.Length; i++) local[i] = Math.Sign(a[i]);
    }

    /// <summary>
    /// max (<paramref name="largest"/>) or min of two inputs: y = b beats a ? b : a, and the whole
    /// slope to the winner (a on a tie). <paramref name="da"/> and <paramref name="db"/> empty: values only.
    /// </summary>
    public static void Pick(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> y, Span<double> da, Span<double> db, bool largest)
    {
        bool training = !da.IsEmpty;
        int i = 0;
        for (; i <= a.Length - Vector<double>.Count; i += Vector<double>.Count)
        {
            var va = new Vector<double>(a[i..]);
            var vb = new Vector<double>(b[i..]);
            Vector<long> bWins = largest ? Vector.GreaterThan(vb, va) : Vector.LessThan(vb, va);
            Vector.ConditionalSelect(bWins, vb, va).CopyTo(y[i..]);
            if (!training) continue;
            Vector<double> toB = Vector.ConditionalSelect(bWins, Vector<double>.One, Vector<double>.Zero);
            toB.CopyTo(db[i..]);
            (Vector<double>.One - toB).CopyTo(da[i..]);
        }
        for (; i < a.Length; i++)
        {
            bool bWins = largest ? b[i] > a[i] : b[i] < a[i];
            y[i] = bWins ? b[i] : a[i];
            if (!training) continue;
            da[i] = bWins ? 0 : 1;
            db[i] = bWins ? 1 : 0;
        }
    }

    /// <summary>
    /// One more input <paramref name="x"/>, the <paramref name="k"/>-th, of an n-ary max or min: where it
    /// beats the winner so far (<paramref name="y"/>), it becomes the winner, and <paramref name="winner"/> k.
    /// </summary>
    public static void PickFirst(ReadOnlySpan<double> x, int k, Span<double> y, Span<double> winner, bool largest)
    {
        var vk = new Vector<double>(k);
        int i = 0;
        for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
        {
            var vx = new Vector<double>(x[i..]);
            var vy = new Vector<double>(y[i..]);
            Vector<long> beats = largest ? Vector.GreaterThan(vx, vy) : Vector.LessThan(vx, vy);
            Vector.ConditionalSelect(beats, vx, vy).CopyTo(y[i..]);
            Vector.ConditionalSelect(beats, vk, new Vector<double>(winner[i..])).CopyTo(winner[i..]);
        }
        for (; i < x.Length; i++)
        {
            if (!(largest ? x[i] > y[i] : x[i] < y[i])) continue;
            y[i] = x[i];
            winner[i] = k;
        }
    }

    /// <summary>local[i] = winner[i] == k ? 1 : 0: the slope of an n-ary max or min to its k-th input.</summary>
    public static void Indicator(ReadOnlySpan<double> winner, int k, Span<double> local)
    {
        var vk = new Vector<double>(k);
        int i = 0;
        for (; i <= winner.Length - Vector<double>.Count; i += Vector<double>.Count)
            Vector.ConditionalSelect(Vector.Equals(new Vector<double>(winner[i..]), vk), Vector<double>.One, Vector<double>.Zero)
                .CopyTo(local[i..]);
        for (; i < winner.Length; i++) local[i] = winner[i] == k ? 1 : 0;
    }
}
