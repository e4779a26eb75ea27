using System.Text;

namespace GradApi.Engine.Ops;

/// <summary>
/// Finds a name, as the UTF-8 bytes a JSON reader has it, among a fixed list of names; answers its position in the
/// list. Names of up to <see cref="ShortUtf8.MaxLength"/> bytes (all of today's ops) are matched with their length
/// as one number each; longer names byte by byte, so that an op of any length is found the same way.
/// </summary>
internal sealed class OpNames
{
    private readonly ulong[] _packed;
    private readonly byte[]?[] _long;
    private readonly bool _anyLong;

    /// <param name="names">The names, each one once; a position the lookup answers is a position in this list.</param>
    public OpNames(IReadOnlyList<string> names)
    {
        _packed = new ulong[names.Count];
        _long = new byte[]?[names.Count];
        for (int i = 0; i < names.Count; i++)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(names[i]);
            if (utf8.Length <= ShortUtf8.MaxLength) _packed[i] = ShortUtf8.Pack(utf8);
            else (_long[i], _anyLong) = (utf8, true);
        }
    }

    /// <summary>The position of <paramref name="utf8Name"/> in the list, or -1 when it names none.</summary>
    public int IndexOf(ReadOnlySpan<byte> utf8Name)
    {
        if (utf8Name.IsEmpty) return -1;
        if (utf8Name.Length > ShortUtf8.MaxLength) return _anyLong ? IndexOfLong(utf8Name) : -1;

        // A packed name never equals 0, the slot of a long name: its top byte holds a length of at least 1.
        ulong packed = ShortUtf8.Pack(utf8Name);
        ulong[] names = _packed;
        for (int i = 0; i < names.Length; i++)
            if (names[i] == packed) return i;
        return -1;
    }

    private int IndexOfLong(ReadOnlySpan<byte> utf8Name)
    {
        for (int i = 0; i < _long.Length; i++)
            if (_long[i] is { } name && utf8Name.SequenceEqual(name)) return i;
        return -1;
    }
}
