using GradApi.Engine.Buffers;
using GradApi.Evaluate;

namespace GradApi.CompiledGraphs;

/// <summary>
/// Reads the numbers of a batch input's array straight from the body's bytes, where the array is what clients send:
/// numbers, commas and JSON whitespace. A batch is mostly such arrays, and going through them token by token costs
/// several times what reading the numbers does.
/// </summary>
internal static class NumberArrayReader
{
    /// <summary>
    /// Reads <c>n, n, ... ]</c> (the array after its <c>[</c>) into <paramref name="lanes"/>, a pooled array grown as
    /// needed: the index of the closing <c>]</c> in <paramref name="items"/>, or -1 at anything else (a token that is
    /// not a finite number, a misplaced comma, more than <paramref name="maxCount"/> numbers), for the caller to read
    /// the array token by token and report what is wrong where.
    /// </summary>
    public static int Read(ReadOnlySpan<byte> items, ref double[] lanes, int maxCount, out int count)
    {
        count = 0;
        double[] buffer = lanes; // lanes, without the indirection
        int i = SkipWhitespace(items, 0);
        if (i < items.Length && items[i] == ']') return i;
        while (count < maxCount)
        {
            int length = JsonNumber.Read(items[i..], out double value);
            if (length == 0 || !double.IsFinite(value)) return -1;
            if (count == buffer.Length)
            {
                Grow(ref lanes, count);
                buffer = lanes;
            }
            buffer[count++] = value;

            i = SkipWhitespace(items, i + length);
            if (i == items.Length) return -1;
            if (items[i] == ']') return i;
            if (items[i] != ',') return -1;
            i = SkipWhitespace(items, i + 1);
        }
        return -1;
    }

    /// <summary>Moves the first <paramref name="count"/> lanes into a pooled array twice as long and gives the old one back.</summary>
    public static void Grow(ref double[] lanes, int count)
    {
        double[] larger = BufferPool<double>.Shared.Rent(2 * lanes.Length);
        lanes.AsSpan(0, count).CopyTo(larger);
        BufferPool<double>.Shared.Return(lanes);
        lanes = larger;
    }

    /// <summary>The index of the first byte from <paramref name="i"/> on that is not JSON whitespace (space, tab, line feed, carriage return).</summary>
    private static int SkipWhitespace(ReadOnlySpan<byte> bytes, int i)
    {
        while (i < bytes.Length && bytes[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r') i++;
        return i;
    }
}
