using System.Buffers;
using System.Globalization;
using System.Text;

namespace GradApi.CompiledGraphs;

/// <summary>
/// The two primitives of RFC 8785, the JSON Canonicalization Scheme: a string with only the escapes JSON requires,
/// and a number as ECMAScript writes it (the shortest digits that read back as the same double). With keys written
/// in sorted order and no whitespace, equal graphs give equal bytes however their bodies spelled them.
/// </summary>
internal static class CanonicalJson
{
    /// <summary>A JSON string of <paramref name="utf8"/> (valid UTF-8): <c>"</c>, <c>\</c> and controls escaped, all else as is.</summary>
    public static void WriteString(IBufferWriter<byte> output, ReadOnlySpan<byte> utf8)
    {
        Write(output, "\""u8);
        int start = 0;
        for (int i = 0; i < utf8.Length; i++)
        {
            byte b = utf8[i];
            if (b >= 0x20 && b != (byte)'"' && b != (byte)'\\') continue;
            Write(output, utf8[start..i]);
            Write(output, b switch
            {
                (byte)'"' => "\\\""u8,
                (byte)'\\' => "\\\\"u8,
                (byte)'\b' => "\\b"u8,
                (byte)'\t' => "\\t"u8,
                (byte)'\n' => "\\n"u8,
                (byte)'\f' => "\\f"u8,
                (byte)'\r' => "\\r"u8,
                _ => Encoding.ASCII.GetBytes($"\\u{b:x4}"),
            });
            start = i + 1;
        }
        Write(output, utf8[start..]);
        Write(output, "\""u8);
    }

    public static void WriteString(IBufferWriter<byte> output, string text) => WriteString(output, Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// <paramref name="value"/> (finite) as ECMAScript's Number.prototype.toString writes it: <c>1</c>, <c>-2.5</c>,
    /// <c>1e+21</c>, <c>1.5e-7</c>, <c>0.000001</c>. One departure from RFC 8785: negative zero is written <c>-0</c>,
    /// since a graph can tell it from 0 (1/x).
    /// </summary>
    public static void WriteNumber(IBufferWriter<byte> output, double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), "JSON has no NaN or infinity.");
        Write(output, Encoding.ASCII.GetBytes(FormatNumber(value)));
    }

    /// <inheritdoc cref="WriteNumber"/>
    public static string FormatNumber(double value)
    {
        if (value == 0) return double.IsNegative(value) ? "-0" : "0";
        // .NET's round-trip format has the shortest digits; only their layout differs from ECMAScript's.
        string r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOf('E', StringComparison.Ordinal);
        string mantissa = e < 0 ? r : r[..e];
        int exponent = e < 0 ? 0 : int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        int point = mantissa.IndexOf('.', StringComparison.Ordinal);
        string digits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        int n = (point < 0 ? mantissa.Length : point) + exponent; // value = 0.digits * 10^n
        int lead = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        n -= lead;
        int k = digits.Length;

        string text;
        if (k <= n && n <= 21) text = digits + new string('0', n - k);
        else if (0 < n && n <= 21) text = $"{digits[..n]}.{digits[n..]}";
        else if (-6 < n && n <= 0) text = $"0.{new string('0', -n)}{digits}";
        else
        {
            string exp = (n - 1).ToString("+0;-0", CultureInfo.InvariantCulture);
            text = k == 1 ? $"{digits}e{exp}" : $"{digits[0]}.{digits[1..]}e{exp}";
        }
        return value < 0 ? "-" + text : text;
    }

    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }
}
