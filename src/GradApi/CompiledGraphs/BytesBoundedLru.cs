namespace GradApi.CompiledGraphs;

/// <summary>
/// Values by key, bounded by the sum of their sizes in bytes: adding past the bound drops the least recently
/// used (found or added) first. Thread-safe: one lock, held only to touch the list and the dictionary, never
/// while a value is made or used. A value that is dropped is only unlinked, never disposed: a request that
/// found it before keeps using it, and the GC takes it once the last such request is done.
/// </summary>
internal sealed class BytesBoundedLru<TValue>(long maxBytes) where TValue : class
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new(); // most recently used first
    private long _bytes;

    private readonly record struct Entry(string Key, TValue Value, long Bytes);

    public long MaxBytes { get; } = maxBytes;

    /// <summary>The bytes of the values kept now.</summary>
    public long Bytes
    {
        get { lock (_lock) return _bytes; }
    }

    public int Count
    {
        get { lock (_lock) return _entries.Count; }
    }

    /// <summary>The value under <paramref name="key"/>, now the most recently used; null if none.</summary>
    public TValue? Find(string key)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out LinkedListNode<Entry>? node)) return null;
            if (node != _recency.First)
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
            }
            return node.Value.Value;
        }
    }

    /// <summary>
    /// Keeps <paramref name="value"/> under <paramref name="key"/> unless a value is kept there already, which is
    /// then returned instead (two requests that made the same value at once end up sharing one). Drops the least
    /// recently used values until the new one fits. False, keeping nothing, when <paramref name="bytes"/> alone is
    /// over the bound.
    /// </summary>
    public bool TryAdd(string key, TValue value, long bytes, out TValue kept)
    {
        kept = value;
        if (bytes > MaxBytes) return false;
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out LinkedListNode<Entry>? existing))
            {
                _recency.Remove(existing);
                _recency.AddFirst(existing);
                kept = existing.Value.Value;
                return true;
            }
            while (_bytes + bytes > MaxBytes && _recency.Last is { } last)
            {
                _recency.RemoveLast();
                _entries.Remove(last.Value.Key);
                _bytes -= last.Value.Bytes;
            }
            _entries[key] = _recency.AddFirst(new Entry(key, value, bytes));
            _bytes += bytes;
            return true;
        }
    }

    /// <summary>Drops the value under <paramref name="key"/>; false if none was kept.</summary>
    public bool Remove(string key)
    {
        lock (_lock)
        {
            if (!_entries.Remove(key, out LinkedListNode<Entry>? node)) return false;
            _recency.Remove(node);
            _bytes -= node.Value.Bytes;
            return true;
        }
    }
}
