using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace GradApi.Engine.Buffers;

/// <summary>
/// Where a request's buffers come from: small ones from <see cref="ArrayPool{T}.Shared"/>, large ones from a store
/// that every type shares and whose size has a bound, <see cref="BufferPool.RetainedBytesLimit"/>.
/// </summary>
/// <remarks>
/// Why not <see cref="ArrayPool{T}.Shared"/> for everything: it keeps up to 32 arrays of each power-of-two size for
/// each core, plus one per thread, and never gives them back while they are used now and then. A million-node graph
/// rents some 30 arrays of 1 to 64 MiB; served on different threads, each request left its own set behind, and a
/// process in 1 GiB ran out of memory on its sixth request with every earlier one's buffers still held. Here a large
/// rent is sized to the request (rounded up to one of eight steps per doubling, so that similar sizes share arrays and
/// at most an eighth is unused), a return keeps the array only while the store stays under its bound, and
/// <see cref="BufferPool.Trim"/> drops the store whole when memory runs short. An array the store does not keep is
/// left to the GC.
/// </remarks>
public sealed class BufferPool<T> : ArrayPool<T>
{
    /// <summary>The one pool of <typeparamref name="T"/> arrays.</summary>
    public static new BufferPool<T> Shared { get; } = new();

    private static readonly int ElementBytes = Unsafe.SizeOf<T>();

    /// <summary>Arrays of more elements than this are large.</summary>
    private static readonly int SmallLength = BufferPool.SmallBytes / ElementBytes;

    private readonly List<T[]> _kept = [];

    private BufferPool() => BufferPool.Register(Trim);

    public override T[] Rent(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLength);
        if (minimumLength <= SmallLength) return ArrayPool<T>.Shared.Rent(minimumLength);

        int length = SizeClass(minimumLength);
        lock (_kept)
        {
            // The smallest kept array that fits; sizes come in classes, so an exact fit is the usual find.
            int best = -1;
            for (int i = 0; i < _kept.Count; i++)
                if (_kept[i].Length >= length && (best < 0 || _kept[i].Length < _kept[best].Length)) best = i;
            if (best >= 0 && _kept[best].Length <= 2L * length)
            {
                T[] found = _kept[best];
                _kept.RemoveAt(best);
                BufferPool.Released(BytesOf(found));
                return found;
            }
        }
        // Not cleared: like ArrayPool's, a rented array holds whatever it held; fresh pages are zero and stay untouched until written.
        return GC.AllocateUninitializedArray<T>(length);
    }

    public override void Return(T[] array, bool clearArray = false)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Length <= SmallLength)
        {
            if (array.Length > 0) ArrayPool<T>.Shared.Return(array, clearArray);
            return;
        }
        if (clearArray) Array.Clear(array);
        if (!BufferPool.TryKeep(BytesOf(array))) return; // over the bound: the GC takes it
        lock (_kept) _kept.Add(array);
    }

    /// <summary>The arrays kept now (for tests).</summary>
    internal int KeptCount
    {
        get { lock (_kept) return _kept.Count; }
    }

    private void Trim()
    {
        lock (_kept)
        {
            foreach (T[] array in _kept) BufferPool.Released(BytesOf(array));
            _kept.Clear();
        }
    }

    /// <summary>
    /// Swaps <paramref name="array"/> for one of this pool at least twice as long, or <paramref name="needed"/> long if that
    /// is more, and at most <paramref name="most"/>; keeps its first <paramref name="used"/> items and gives the old one back.
    /// </summary>
    public void Grow(ref T[] array, int used, long needed = 0, long most = int.MaxValue)
    {
        T[] larger = Rent((int)Math.Min(Math.Min(Math.Max(2L * array.Length, needed), most), Array.MaxLength));
        array.AsSpan(0, used).CopyTo(larger);
        Return(array);
        array = larger;
    }

    /// <summary>
    /// <paramref name="length"/> rounded up to the next of eight steps between two powers of two (0.5, 0.5625, ... of
    /// the next one), and at most <see cref="Array.MaxLength"/>.
    /// </summary>
    internal static int SizeClass(int length)
    {
        int step = (int)(BitOperations.RoundUpToPowerOf2((uint)length) >> 4);
        long rounded = ((long)length + step - 1) / step * step;
        return (int)Math.Min(rounded, Array.MaxLength);
    }

    private static long BytesOf(T[] array) => (long)array.Length * ElementBytes;
}

/// <summary>The bound that every <see cref="BufferPool{T}"/> shares, and the bytes their stores keep now.</summary>
public static class BufferPool
{
    /// <summary>Arrays up to this size are left to <see cref="ArrayPool{T}.Shared"/>, which keeps them cheaply.</summary>
    public const int SmallBytes = 1024 * 1024;

    private static readonly List<Action> Trims = [];
    private static long _retainedBytes;
    private static long _retainedBytesLimit = DefaultLimit(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);

    /// <summary>
    /// The most bytes the stores keep between requests. By default an eighth of the memory the GC may use (the heap
    /// hard limit, else the container's limit, else the machine's memory); a host may set it from its own budget.
    /// </summary>
    public static long RetainedBytesLimit
    {
        get => Volatile.Read(ref _retainedBytesLimit);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _retainedBytesLimit, value);
        }
    }

    /// <summary>The bytes the stores keep now.</summary>
    public static long RetainedBytes => Interlocked.Read(ref _retainedBytes);

    /// <summary>The default <see cref="RetainedBytesLimit"/> for this much available memory.</summary>
    public static long DefaultLimit(long availableBytes) => availableBytes / 8;

    /// <summary>Drops every array the stores keep, for the GC to take: when memory ran short.</summary>
    public static void Trim()
    {
        Action[] trims;
        lock (Trims) trims = [.. Trims];
        foreach (Action trim in trims) trim();
    }

    internal static void Register(Action trim)
    {
        lock (Trims) Trims.Add(trim);
    }

    /// <summary>Counts <paramref name="bytes"/> as kept if that stays within the bound.</summary>
    internal static bool TryKeep(long bytes)
    {
        long kept = Interlocked.Add(ref _retainedBytes, bytes);
        if (kept <= RetainedBytesLimit) return true;
        Interlocked.Add(ref _retainedBytes, -bytes);
        return false;
    }

    internal static void Released(long bytes) => Interlocked.Add(ref _retainedBytes, -bytes);
}
