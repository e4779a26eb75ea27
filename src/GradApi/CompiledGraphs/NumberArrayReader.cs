using GradApi.Engine;
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
    /// Numbers per part below which an array is read on one thread: a part is worth handing to another thread (tens
    /// of microseconds before it starts) when it reads for a few hundred (10 ns a number).
    /// </summary>
    private const int MinPartNumbers = 16 * 1024;

    /// <summary>
    /// Reads <c>n, n, ... ]</c> (the array after its <c>[</c>) into <paramref name="lanes"/>, a pooled array replaced
    /// by a larger one if it is too short: the index of the closing <c>]</c> in <paramref name="items"/>, or -1 at
    /// anything else (a token that is not a finite number, a misplaced comma, more than <paramref name="maxCount"/>
    /// numbers), for the caller to read the array token by token and report what is wrong where.
    /// </summary>
    /// <remarks>
    /// The numbers are counted first, from the commas before the first <c>]</c> (both found a vector of bytes at a
    /// time, some 20 us for a megabyte): the lanes are rented once at their size, and a long array is cut at commas
    /// into parts that the cores read at once, each into its own lanes, for reading one number after the other is
    /// most of a batch's server time (10 ns a number, a millisecond for the 10^5 of one input). Where the count is
    /// wrong the array is not plain numbers (a <c>]</c> in a string, a comma too many), and reading finds that.
    /// </remarks>
    public static int Read(ReadOnlyMemory<byte> items, ref double[] lanes, int maxCount, out int count)
    {
        count = 0;
        ReadOnlySpan<byte> bytes = items.Span;
        int end = bytes.IndexOf((byte)']');
        if (end < 0) return -1;
        ReadOnlySpan<byte> numbers = bytes[..end];
        if (SkipWhitespace(numbers, 0) == end) return end; // []
        int n = numbers.Count((byte)',') + 1;
        if (n > maxCount) return -1;
        if (lanes.Length < n)
        {
            BufferPool<double>.Shared.Return(lanes);
            lanes = BufferPool<double>.Shared.Rent(n);
        }
        // In parts only as the batch engine's tiles are: while the thread pool has no work waiting.
        int parts = SpareCores.For(n / MinPartNumbers);
        if (!(parts > 1 ? ReadInParts(items[..end], lanes, n, parts) : ReadNumbers(numbers, lanes.AsSpan(0, n)))) return -1;
        count = n;
        return end;
    }

    /// <summary>
    /// <see cref="ReadNumbers"/> on <paramref name="parts"/> parts of <paramref name="numbers"/> at once, cut after a
    /// comma near each k / parts of its bytes: a part's first lane is the count of commas before it.
    /// </summary>
    internal static bool ReadInParts(ReadOnlyMemory<byte> numbers, double[] lanes, int n, int parts)
    {
        ReadOnlySpan<byte> bytes = numbers.Span;
        var starts = new int[parts + 1];
        var firstLanes = new int[parts + 1];
        for (int k = 1; k < parts; k++)
        {
            int from = Math.Max((int)((long)bytes.Length * k / parts), starts[k - 1]);
            int comma = bytes[from..].IndexOf((byte)',');
            if (comma < 0) return ReadNumbers(bytes, lanes.AsSpan(0, n)); // numbers too long to cut here
            starts[k] = from + comma + 1;
            firstLanes[k] = firstLanes[k - 1] + bytes[starts[k - 1]..starts[k]].Count((byte)',');
        }
        starts[parts] = bytes.Length + 1; // as if a comma ended the last part
        firstLanes[parts] = n;

        bool read = true;
        Parallel.For(0, parts, k =>
        {
            ReadOnlySpan<byte> part = numbers.Span[starts[k]..(starts[k + 1] - 1)];
            if (!ReadNumbers(part, lanes.AsSpan(firstLanes[k], firstLanes[k + 1] - firstLanes[k]))) Volatile.Write(ref read, false);
        });
        return read;
    }

    /// <summary>
    /// Whether <paramref name="numbers"/> is exactly <paramref name="lanes"/>.Length finite numbers separated by commas,
    /// with JSON whitespace around them, which it reads into <paramref name="lanes"/>.
    /// </summary>
    internal static bool ReadNumbers(ReadOnlySpan<byte> numbers, Span<double> lanes)
    {
        int i = 0;
        for (int k = 0; k < lanes.Length; k++)
        {
            i = SkipWhitespace(numbers, i);
            int length = JsonNumber.ReadShort(numbers, i, out double value);
            if (length == 0)
            {
                length = JsonNumber.Read(numbers[i..], out value);
                if (length == 0 || !double.IsFinite(value)) return false;
            }
            lanes[k] = value;
            i = SkipWhitespace(numbers, i + length);
            if (i < numbers.Length)
            {
                if (numbers[i] != ',') return false;
                i++;
            }
        }
        return i == numbers.Length;
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
