using System.Buffers.Text;

namespace GradApi.Evaluate;

/// <summary>
/// Reads JSON numbers from UTF-8 bytes into doubles, to exactly the bits <see cref="System.Text.Json.Utf8JsonReader.TryGetDouble"/>
/// gives (the correctly rounded double, -0 kept, a number past the largest double as an infinity, which the readers
/// refuse), at a fraction of its cost: a batch body is
/// hundreds of thousands of numbers, and a general parser costs more per number than the engine spends per point.
/// </summary>
/// <remarks>
/// Most numbers a client sends (<c>0.125</c>, <c>-1.999984</c>, <c>3e-7</c>) have at most 15 or 16 significant digits
/// and a small exponent. For those, the digits make an integer m below 2^53 and the value is m * 10^p with |p| &lt;= 22:
/// m and 10^p are both doubles exactly, and one IEEE multiply or divide rounds their exact product or quotient
/// correctly (Clinger, "How to read floating point numbers accurately", 1990). Every other number (17 or more
/// significant digits, exponents past the table, values near the ends of the double range) goes to
/// <see cref="Utf8Parser"/>, which is what <c>TryGetDouble</c> runs, so those bits are the same by construction.
/// </remarks>
internal static class JsonNumber
{
    /// <summary>Significant digits that fit a <see cref="ulong"/> whatever they are (10^19 - 1 &lt; 2^64).</summary>
    private const int MaxDigits = 19;

    /// <summary>2^53: every integer up to it is a double exactly.</summary>
    private const ulong ExactIntegers = 1UL << 53;

    /// <summary>An exponent this large or larger is no longer read exactly (its digits stop counting) and leaves the number to the general parser.</summary>
    private const int ExponentClamp = 100_000;

    /// <summary>10^0 to 10^22: the powers of ten a double holds exactly.</summary>
    private static ReadOnlySpan<double> ExactPowers =>
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>10^0 to 10^15, as integers: to move a small significand's excess exponent into it (1e23 is 10 * 10^22).</summary>
    private static ReadOnlySpan<ulong> IntegerPowers =>
    [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
        10_000_000_000, 100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
    ];

    /// <summary>
    /// The number token <paramref name="token"/> (all of it, as <see cref="System.Text.Json.Utf8JsonReader.ValueSpan"/>
    /// gives it) as a double, as <c>TryGetDouble</c> reads it: a number past the largest finite double is an infinity.
    /// False when the token is not one JSON number.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> token, out double value) =>
        Read(token, out value) == token.Length && token.Length > 0;

    /// <summary>
    /// Reads the JSON number that <paramref name="utf8"/> starts with (<c>-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?</c>,
    /// the longest such prefix) and returns its length in bytes, or 0 when it starts with no JSON number. A number past
    /// the largest finite double reads as an infinity. Whatever follows the number is the caller's to check.
    /// </summary>
    public static int Read(ReadOnlySpan<byte> utf8, out double value)
    {
        value = 0;
        int i = 0;
        bool negative = utf8.Length > 0 && utf8[0] == '-';
        if (negative) i++;
        if (i == utf8.Length) return 0;

        // The value is significand * 10^(scale + exponent), exactly unless a non-zero digit was dropped.
        ulong significand = 0;
        int digits = 0, scale = 0;
        bool dropped = false;

        if (utf8[i] == '0')
        {
            i++;
        }
        else if (IsDigit(utf8[i]))
        {
            for (; i < utf8.Length && IsDigit(utf8[i]); i++)
            {
                if (digits < MaxDigits)
                {
                    significand = significand * 10 + (uint)(utf8[i] - '0');
                    digits++;
                }
                else
                {
                    scale++;
                    dropped |= utf8[i] != '0';
                }
            }
        }
        else
        {
            return 0;
        }

        if (i < utf8.Length && utf8[i] == '.')
        {
            int first = ++i;
            for (; i < utf8.Length && IsDigit(utf8[i]); i++)
            {
                if (digits < MaxDigits)
                {
                    significand = significand * 10 + (uint)(utf8[i] - '0');
                    scale--;
                    if (significand != 0) digits++; // zeros before the first significant digit only move the point
                }
                else
                {
                    dropped |= utf8[i] != '0';
                }
            }
            if (i == first) return 0;
        }

        int exponent = 0;
        if (i < utf8.Length && (utf8[i] | 0x20) == 'e')
        {
            i++;
            bool negativeExponent = false;
            if (i < utf8.Length && (utf8[i] == '+' || utf8[i] == '-'))
            {
                negativeExponent = utf8[i] == '-';
                i++;
            }
            int first = i;
            for (; i < utf8.Length && IsDigit(utf8[i]); i++)
            {
                if (exponent < ExponentClamp) exponent = exponent * 10 + (utf8[i] - '0');
            }
            if (i == first) return 0;
            if (negativeExponent) exponent = -exponent;
        }

        if (significand == 0)
        {
            value = negative ? -0.0 : 0.0;
            return i;
        }
        if (dropped || significand > ExactIntegers || Math.Abs(exponent) >= ExponentClamp
            || !TryExact(significand, scale + exponent, out double magnitude))
            return Fallback(utf8[..i], out value) ? i : 0;
        value = negative ? -magnitude : magnitude;
        return i;
    }

    /// <summary>Clinger's fast path: <paramref name="significand"/> (at most 2^53) * 10^<paramref name="power"/> in one rounding, when it can be done in one.</summary>
    private static bool TryExact(ulong significand, int power, out double value)
    {
        ReadOnlySpan<double> powers = ExactPowers;
        if (power < 0)
        {
            value = -power < powers.Length ? significand / powers[-power] : 0;
            return -power < powers.Length;
        }
        if (power < powers.Length)
        {
            value = significand * powers[power];
            return true;
        }
        // Past 10^22, a significand small enough takes the excess exactly: 1e23 is (1 * 10) * 10^22, 12e30 is (12 * 10^8) * 10^22.
        int excess = power - (powers.Length - 1);
        if (excess < IntegerPowers.Length && significand <= ExactIntegers / IntegerPowers[excess])
        {
            value = significand * IntegerPowers[excess] * powers[^1];
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>The general parser, as <c>TryGetDouble</c> runs it.</summary>
    private static bool Fallback(ReadOnlySpan<byte> token, out double value) =>
        Utf8Parser.TryParse(token, out value, out int consumed) && consumed == token.Length;

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}
