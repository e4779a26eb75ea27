using System.Buffers.Binary;
using System.Numerics;
using GradApi.Engine.Buffers;
using GradApi.Engine.Graphs;

namespace GradApi.Engine.Compilation;

/// <summary>
/// The node ids of a <see cref="GraphSpec"/>, found by their UTF-8 bytes: an open-addressing hash
/// table (linear probing) over one pooled array, with no string and no object per id.
/// </summary>
/// <remarks>
/// Finding ids is bound by cache and TLB misses, not by hashing, so a slot holds what it takes to
/// decide a match without a second trip to memory: an id of up to 7 bytes (most are) is packed
/// into the slot's key whole; a longer one keeps its hash there and is compared with the spec's
/// text. The hash is seeded per process, so no fixed set of ids collides on every server.
/// <para>
/// Sized for a count of ids given up front, at a load of at most a half; an id added past that count doubles the
/// table (every id moved to its slot in the larger one), for a compile that starts before the parse has counted the nodes.
/// </para>
/// </remarks>
internal sealed class IdTable : IDisposable
{
    private const ulong Multiplier = 0x9E3779B97F4A7C15;
    private const int InlineLength = ShortUtf8.MaxLength;
    private const ulong LongId = 0xFFUL << 56;
    private static readonly ulong HashSeed = (ulong)Random.Shared.NextInt64();

    private readonly GraphSpec _spec;
    private int _mask;
    private int _count;
    private Slot[] _slots;

    private struct Slot
    {
        /// <summary>The id itself (bytes, then its length in the top byte), or <see cref="LongId"/> and its hash.</summary>
        public ulong Key;

        /// <summary>The node's index plus one; 0 marks an empty slot.</summary>
        public int NodePlusOne;

        /// <summary>What the caller keeps with the id (<see cref="AddOrFind(int, int)"/>), in what would be the slot's padding.</summary>
        public int Tag;
    }

    /// <param name="spec">The graph whose ids these are.</param>
    /// <param name="count">How many ids to make room for; more may be added, at the cost of a grow.</param>
    public IdTable(GraphSpec spec, int count)
    {
        _spec = spec;
        int capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2 * Math.Max(count, 0), 16));
        _mask = capacity - 1;
        _slots = BufferPool<Slot>.Shared.Rent(capacity);
        Array.Clear(_slots, 0, capacity);
    }

    /// <summary>How many slots the table has now.</summary>
    internal int Capacity => _mask + 1;

    /// <summary>Adds <paramref name="node"/> under its id; if another node has that id, leaves the table as it is and returns that node.</summary>
    public int AddOrFind(int node) => AddOrFind(node, 0);

    /// <summary>
    /// <see cref="AddOrFind(int)"/>, keeping <paramref name="tag"/> with the id: <see cref="Find(ReadOnlySpan{byte}, out int)"/>
    /// gives it back from the slot it reads anyway, where a lookup by the node's index would be a second trip to memory.
    /// </summary>
    public int AddOrFind(int node, int tag) => AddOrFind(node, _spec.IdUtf8(node), tag);

    /// <summary><see cref="AddOrFind(int, int)"/> for a caller that has the node's id at hand: <paramref name="id"/>.</summary>
    public int AddOrFind(int node, ReadOnlySpan<byte> id, int tag)
    {
        if (_count >= (_mask + 1) / 2) Grow();
        ulong key = KeyOf(id, out uint hash);
        Slot[] slots = _slots;
        for (int i = (int)hash & _mask; ; i = (i + 1) & _mask)
        {
            ref Slot slot = ref slots[i];
            if (slot.NodePlusOne == 0)
            {
                slot.Key = key;
                slot.NodePlusOne = node + 1;
                slot.Tag = tag;
                _count++;
                return node;
            }
            if (slot.Key == key && (id.Length <= InlineLength || SameId(slot, id))) return slot.NodePlusOne - 1;
        }
    }

    /// <summary>The node with this id, or -1.</summary>
    public int Find(ReadOnlySpan<byte> id) => Find(id, out _);

    /// <summary>The node with this id and the tag added with it, or -1 (and 0).</summary>
    public int Find(ReadOnlySpan<byte> id, out int tag)
    {
        ulong key = KeyOf(id, out uint hash);
        Slot[] slots = _slots;
        for (int i = (int)hash & _mask; ; i = (i + 1) & _mask)
        {
            ref Slot slot = ref slots[i];
            if (slot.NodePlusOne == 0)
            {
                tag = 0;
                return -1;
            }
            if (slot.Key == key && (id.Length <= InlineLength || SameId(slot, id)))
            {
                tag = slot.Tag;
                return slot.NodePlusOne - 1;
            }
        }
    }

    /// <summary>
    /// Asks the processor for the slot where a search for <paramref name="id"/> (or its addition) starts, a while
    /// before it: on a large table nearly every first slot is a miss of every cache.
    /// </summary>
    public void Prefetch(ReadOnlySpan<byte> id)
    {
        KeyOf(id, out uint hash);
        Evaluation.Prefetch.Line(ref _slots[(int)hash & _mask]);
    }

    private bool SameId(in Slot slot, ReadOnlySpan<byte> id) => _spec.IdUtf8(slot.NodePlusOne - 1).SequenceEqual(id);

    /// <summary>An id's key (see <see cref="Slot.Key"/>) and the hash that picks its first slot.</summary>
    private static ulong KeyOf(ReadOnlySpan<byte> id, out uint hash)
    {
        if (id.Length <= InlineLength)
        {
            ulong packed = ShortUtf8.Pack(id);
            hash = (uint)(Avalanche(packed ^ HashSeed) >> 32);
            return packed;
        }
        ulong h = Avalanche(Hash(id));
        hash = (uint)(h >> 32);
        return LongId | (h & ~LongId);
    }

    /// <summary>Eight bytes at a time, each word mixed in by a multiply.</summary>
    private static ulong Hash(ReadOnlySpan<byte> key)
    {
        ulong h = HashSeed ^ ((ulong)key.Length * Multiplier);
        int i = 0;
        for (; i + sizeof(ulong) <= key.Length; i += sizeof(ulong))
            h = Mix(h ^ BinaryPrimitives.ReadUInt64LittleEndian(key[i..]));
        if (i < key.Length)
            h = Mix(h ^ BinaryPrimitives.ReadUInt64LittleEndian(key[^sizeof(ulong)..])); // overlaps the last word: fine for a hash
        return h;
    }

    private static ulong Mix(ulong h)
    {
        h *= Multiplier;
        return h ^ (h >> 29);
    }

    /// <summary>
    /// MurmurHash3's 64-bit finalizer: every input bit moves every output bit. A multiply alone only
    /// carries bits upward, so the slot (the top bits) would hang on the low bytes of the id and miss
    /// its last ones: ids that differ only there would pile into one run of slots on every server.
    /// </summary>
    private static ulong Avalanche(ulong h)
    {
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCD;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53;
        return h ^ (h >> 33);
    }

    /// <summary>
    /// Twice the slots, each id moved to its place among them: its hash picks its first slot, from the key for an id
    /// packed whole, from the spec's text for a longer one (the key keeps only part of that hash).
    /// </summary>
    private void Grow()
    {
        Slot[] old = _slots;
        int oldCapacity = _mask + 1, capacity = 2 * oldCapacity;
        Slot[] slots = BufferPool<Slot>.Shared.Rent(capacity);
        Array.Clear(slots, 0, capacity);
        int mask = capacity - 1;
        for (int s = 0; s < oldCapacity; s++)
        {
            Slot slot = old[s];
            if (slot.NodePlusOne == 0) continue;
            uint hash;
            if ((slot.Key & LongId) == LongId) KeyOf(_spec.IdUtf8(slot.NodePlusOne - 1), out hash);
            else hash = (uint)(Avalanche(slot.Key ^ HashSeed) >> 32);
            int i = (int)hash & mask;
            while (slots[i].NodePlusOne != 0) i = (i + 1) & mask;
            slots[i] = slot;
        }
        _slots = slots;
        _mask = mask;
        BufferPool<Slot>.Shared.Return(old);
    }

    /// <summary>Empties the table, for the ids to be added again from the first.</summary>
    public void Clear()
    {
        Array.Clear(_slots, 0, _mask + 1);
        _count = 0;
    }

    /// <summary>How many slots a search for <paramref name="id"/> looks at: 1 when its first slot decides.</summary>
    internal int ProbeLength(ReadOnlySpan<byte> id)
    {
        ulong key = KeyOf(id, out uint hash);
        int length = 1;
        for (int i = (int)hash & _mask; ; i = (i + 1) & _mask, length++)
        {
            ref Slot slot = ref _slots[i];
            if (slot.NodePlusOne == 0 || (slot.Key == key && (id.Length <= InlineLength || SameId(slot, id)))) return length;
        }
    }

    public void Dispose()
    {
        if (_slots.Length == 0) return;
        BufferPool<Slot>.Shared.Return(_slots);
        _slots = [];
    }
}
