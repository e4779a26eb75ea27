using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using GradApi.Engine.Graphs;

namespace GradApi.Engine.Compilation;

/// <summary>
/// The node ids of a <see cref="GraphSpec"/>, found by their UTF-8 bytes: an open-addressing hash
/// table (linear probing) over one pooled array, with no string and no object per id. Each slot
/// holds the id's hash next to its node, so a probe reads the spec's text only on a full match of
/// the hash. The hash is seeded per process, so no fixed set of ids collides on every server.
/// </summary>
internal sealed class IdTable : IDisposable
{
    private const ulong Multiplier = 0x9E3779B97F4A7C15;
    private static readonly ulong HashSeed = (ulong)Random.Shared.NextInt64();

    private readonly GraphSpec _spec;
    private readonly int _mask;
    private long[] _slots; // (hash << 32) | (node + 1); 0 is an empty slot

    public IdTable(GraphSpec spec, int count)
    {
        _spec = spec;
        int capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2 * count, 16));
        _mask = capacity - 1;
        _slots = ArrayPool<long>.Shared.Rent(capacity);
        Array.Clear(_slots, 0, capacity);
    }

    /// <summary>Adds <paramref name="node"/> under its id; if another node has that id, leaves the table as it is and returns that node.</summary>
    public int AddOrFind(int node)
    {
        ReadOnlySpan<byte> id = _spec.IdUtf8(node);
        uint hash = Hash(id);
        for (int i = (int)hash & _mask; ; i = (i + 1) & _mask)
        {
            long slot = _slots[i];
            if (slot == 0)
            {
                _slots[i] = ((long)hash << 32) | (uint)(node + 1);
                return node;
            }
            if ((uint)(slot >> 32) == hash && Matches(slot, id)) return (int)(uint)slot - 1;
        }
    }

    /// <summary>The node with this id, or -1.</summary>
    public int Find(ReadOnlySpan<byte> id)
    {
        uint hash = Hash(id);
        for (int i = (int)hash & _mask; ; i = (i + 1) & _mask)
        {
            long slot = _slots[i];
            if (slot == 0) return -1;
            if ((uint)(slot >> 32) == hash && Matches(slot, id)) return (int)(uint)slot - 1;
        }
    }

    private bool Matches(long slot, ReadOnlySpan<byte> id) => _spec.IdUtf8((int)(uint)slot - 1).SequenceEqual(id);

    /// <summary>Eight bytes at a time, each word mixed in by a multiply; ids are short, so mostly one or two words.</summary>
    private static uint Hash(ReadOnlySpan<byte> key)
    {
        ulong h = HashSeed ^ ((ulong)key.Length * Multiplier);
        int i = 0;
        for (; i + sizeof(ulong) <= key.Length; i += sizeof(ulong))
            h = Mix(h ^ BinaryPrimitives.ReadUInt64LittleEndian(key[i..]));
        if (i < key.Length)
        {
            ulong tail;
            if (key.Length >= sizeof(ulong))
            {
                tail = BinaryPrimitives.ReadUInt64LittleEndian(key[^sizeof(ulong)..]); // overlaps the last word: fine for a hash
            }
            else if (key.Length >= sizeof(uint))
            {
                tail = BinaryPrimitives.ReadUInt32LittleEndian(key)
                    | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(key[^sizeof(uint)..]) << 32);
            }
            else
            {
                tail = 0;
                foreach (byte b in key) tail = (tail << 8) | b;
            }
            h = Mix(h ^ tail);
        }
        return (uint)(h >> 32);
    }

    private static ulong Mix(ulong h)
    {
        h *= Multiplier;
        return h ^ (h >> 29);
    }

    public void Dispose()
    {
        if (_slots.Length == 0) return;
        ArrayPool<long>.Shared.Return(_slots);
        _slots = [];
    }
}
