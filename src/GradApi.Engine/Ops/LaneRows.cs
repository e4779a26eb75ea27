namespace GradApi.Engine.Ops;

/// <summary>
/// Rows of lanes in one buffer, as the batch engine lays them out: row k starts at
/// <c>stride * index[k]</c> (or at <c>stride * (first + k)</c> for consecutive rows, as one gate's
/// edges are) and holds <c>width</c> lanes. An n-ary gate's inputs, or its edges' local gradients.
/// </summary>
internal readonly ref struct LaneRows
{
    private readonly Span<double> _store;
    private readonly ReadOnlySpan<int> _index;
    private readonly int _first;
    private readonly int _stride;
    private readonly int _width;

    /// <summary>The rows <paramref name="index"/> names, in its order.</summary>
    public LaneRows(Span<double> store, ReadOnlySpan<int> index, int stride, int width)
    {
        _store = store;
        _index = index;
        Count = index.Length;
        _stride = stride;
        _width = width;
    }

    /// <summary><paramref name="count"/> consecutive rows from row <paramref name="first"/>.</summary>
    public LaneRows(Span<double> store, int first, int count, int stride, int width)
    {
        _store = store;
        _first = first;
        Count = count;
        _stride = stride;
        _width = width;
    }

    public int Count { get; }

    public Span<double> this[int k] =>
        _store.Slice((_index.IsEmpty ? _first + k : _index[k]) * _stride, _width);
}
