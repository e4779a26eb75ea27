using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace GradApi.Evaluate;

/// <summary>
/// Reads JSON numbers from UTF-8 bytes into doubles, to exactly the bits <see cref="System.Text.Json.Utf8JsonReader.TryGetDouble"/>
/// gives (the correctly rounded double, -0 kept, a number past the largest double as an infinity, which the readers
/// refuse), at a fraction of its cost: a batch body is hundreds of thousands of numbers, and the general parser costs
/// more per number than the engine spends per point.
/// </summary>
/// <remarks>
/// Three ways, the cheapest that applies. Most numbers a client writes by hand or rounds (<c>0.125</c>,
/// <c>-1.999984</c>, <c>3e-7</c>) have at most 15 or 16 significant digits and a small exponent: the digits make an
/// integer m up to 2^53 and the value is m * 10^p with |p| &lt;= 22, m and 10^p are both doubles exactly, and one IEEE
/// multiply or divide rounds their exact product or quotient correctly (Clinger, "How to read floating point numbers
/// accurately", 1990). The shortest round-trip form of a double (17 digits, as Python's <c>json.dumps</c> writes it)
/// goes to <see cref="EiselLemire"/>. What is left (more than 19 significant digits, subnormals, overflows, the rare
/// case Eisel-Lemire declines) goes to <see cref="Utf8Parser"/>, which is what <c>TryGetDouble</c> runs, so those bits
/// are the same by construction.
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
        int integerStart = i;

        // The digits, integer and fraction, as one integer: the value is significand * 10^(exponent - fraction
        // digits). Past 19 digits it wraps; that is found below, from the count, off the path of every digit.
        ulong significand = 0;
        if (i < utf8.Length && utf8[i] == '0')
        {
            i++;
        }
        else
        {
            for (; i < utf8.Length && IsDigit(utf8[i]); i++) significand = significand * 10 + (uint)(utf8[i] - '0');
            if (i == integerStart) return 0;
        }
        int digits = i - integerStart;

        int fractionDigits = 0;
        if (i < utf8.Length && utf8[i] == '.')
        {
            int fractionStart = ++i;
            for (; i < utf8.Length && IsDigit(utf8[i]); i++) significand = significand * 10 + (uint)(utf8[i] - '0');
            fractionDigits = i - fractionStart;
            if (fractionDigits == 0) return 0;
            digits += fractionDigits;
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
            int exponentStart = i;
            for (; i < utf8.Length && IsDigit(utf8[i]); i++)
            {
                if (exponent < ExponentClamp) exponent = exponent * 10 + (utf8[i] - '0');
            }
            if (i == exponentStart) return 0;
            if (negativeExponent) exponent = -exponent;
        }

        if (digits > MaxDigits && SignificantDigits(utf8[integerStart..i]) > MaxDigits)
            return Fallback(utf8[..i], out value) ? i : 0;
        if (significand == 0)
        {
            value = negative ? -0.0 : 0.0;
            return i;
        }
        if (Math.Abs(exponent) < ExponentClamp)
        {
            int power = exponent - fractionDigits;
            if (significand <= ExactIntegers && TryExact(significand, power, out double magnitude))
            {
                value = negative ? -magnitude : magnitude;
                return i;
            }
            if (EiselLemire.TryCompute(significand, power, negative, out value)) return i;
        }
        return Fallback(utf8[..i], out value) ? i : 0;
    }

    /// <summary>
    /// The number at <paramref name="i"/> when it is what batches are mostly made of, <c>-?(0|[1-9][0-9]*)(.[0-9]+)?</c>
    /// with at most 15 digits and no exponent: its length, with the double <see cref="Read"/> gives (the
    /// digits as an integer below 10^15, so below 2^53, divided by 10^fraction digits, both exact, in one rounding);
    /// else 0, for <see cref="Read"/>. Inlined in a loop over an array's numbers (<see cref="CompiledGraphs.NumberArrayReader"/>),
    /// with none of the general reader's cases to rule out, it takes the neuron batch's arrays in 0.8 of the time
    /// <see cref="Read"/> does; it is Clinger's fast path (see the remarks) for numbers without an exponent.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ReadShort(ReadOnlySpan<byte> bytes, int i, out double value)
    {
        value = 0;
        int start = i;
        bool negative = i < bytes.Length && bytes[i] == '-';
        if (negative) i++;
        int first = i;
        ulong significand = 0;
        uint digit;
        while (i < bytes.Length && (digit = (uint)(bytes[i] - '0')) <= 9)
        {
            significand = significand * 10 + digit;
            i++;
        }
        int digits = i - first;
        if (digits == 0 || (digits > 1 && bytes[first] == '0')) return 0;
        int fractionDigits = 0;
        if (i < bytes.Length && bytes[i] == '.')
        {
            int fraction = ++i;
            while (i < bytes.Length && (digit = (uint)(bytes[i] - '0')) <= 9)
            {
                significand = significand * 10 + digit;
                i++;
            }
            fractionDigits = i - fraction;
            if (fractionDigits == 0) return 0;
            digits += fractionDigits;
        }
        if (digits > MaxShortDigits || (i < bytes.Length && (bytes[i] | 0x20) == 'e')) return 0;
        double magnitude = significand == 0 ? 0 : significand / ExactPowers[fractionDigits];
        value = negative ? -magnitude : magnitude;
        return i - start;
    }

    /// <summary>Digits that make an integer below 2^53 whatever they are, for <see cref="ReadShort"/>.</summary>
    private const int MaxShortDigits = 15;

    /// <summary>How many digits of <paramref name="unsigned"/> (a number without its sign) are past its leading zeros (<c>0.000</c>).</summary>
    private static int SignificantDigits(ReadOnlySpan<byte> unsigned)
    {
        int leading = 0, k = 0;
        for (; k < unsigned.Length && unsigned[k] is (byte)'0' or (byte)'.'; k++)
        {
            if (unsigned[k] == '0') leading++;
        }
        int digits = 0;
        for (k = 0; k < unsigned.Length && (IsDigit(unsigned[k]) || unsigned[k] == '.'); k++)
        {
            if (unsigned[k] != '.') digits++;
        }
        return digits - leading;
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
