using System.Buffers.Binary;

namespace GradApi.Engine;

/// <summary>
/// Strings of up to <see cref="MaxLength"/> UTF-8 bytes as one number each, so that two of them are
/// compared in one step: the id table keeps short ids this way, the op table its names.
/// </summary>
internal static class ShortUtf8
{
    /// <summary>The longest string that packs: the eighth byte holds the length.</summary>
    public const int MaxLength = sizeof(ulong) - 1;

    /// <summary>
    /// Up to <see cref="MaxLength"/> bytes, little-endian, with their length in the top byte: equal
    /// numbers mean equal strings, and no packed string equals a number whose top byte is above 7.
    /// </summary>
    public static ulong Pack(ReadOnlySpan<byte> utf8)
    {
        ulong packed;
        if (utf8.Length >= sizeof(uint))
        {
            // Two reads that overlap when the string is shorter than 8 bytes: the shared bytes are equal, so OR keeps them.
            packed = BinaryPrimitives.ReadUInt32LittleEndian(utf8)
                | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(utf8[^sizeof(uint)..]) << (8 * (utf8.Length - sizeof(uint))));
        }
        else
        {
            packed = 0;
            for (int k = 0; k < utf8.Length; k++) packed |= (ulong)utf8[k] << (8 * k);
        }
        return packed | ((ulong)utf8.Length << 56);
    }
}
