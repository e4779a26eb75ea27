using System.Buffers.Text;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace GradApi.Answers;

/// <summary>
/// Writes a finite double as the shortest decimal that reads back to the same double, byte for byte as
/// <see cref="System.Text.Json.Utf8JsonWriter.WriteNumberValue(double)"/> writes it (which is
/// <c>double.ToString()</c> in the invariant culture): "0.1", "-0", "1E+15", "1.5E-05", "5E-324".
/// The framework finds those digits with Grisu3 and falls back to Dragon4's big integers, some 100 ns a
/// number; answers are mostly numbers (two per node), so this finds them with Ulf Adams' Ryu (PLDI 2018):
/// one 64x128-bit multiply by a power of 5 taken from a table, then dropping digits while the candidates
/// stay inside the interval of decimals that round to the double. The tables are computed once, exactly,
/// with <see cref="BigInteger"/>. Tested against the framework on many millions of doubles
/// (ShortestDoubleTests).
/// </summary>
internal static class ShortestDouble
{
    /// <summary>The longest a number gets: "-1.2345678901234567E-308" is 24 bytes.</summary>
    public const int MaxLength = 24;

    private const int MantissaBits = 52;
    private const int ExponentBits = 11;
    private const int Bias = 1023;
    private const int Pow5Bits = 125;
    private const int Pow5InverseBits = 125;

    /// <summary>
    /// The framework writes an exponent once a number's integer part would have more than 17 digits, or
    /// its fraction more than three zeros after the point: 10000000000000000 but 1E+17, 0.0001 but 1E-05.
    /// </summary>
    private const int PlainDigits = 17;

    /// <summary>5^i scaled to 125 bits, for 2^e2 with e2 &lt; 0: high and low 64 bits at 2i and 2i + 1.</summary>
    private static readonly ulong[] Pow5 = Pow5Table(326, inverse: false);

    /// <summary>2^k / 5^q rounded up, scaled to 125 bits, for 2^e2 with e2 >= 0; laid out as <see cref="Pow5"/>.</summary>
    private static readonly ulong[] Pow5Inverse = Pow5Table(342, inverse: true);

    private static ReadOnlySpan<byte> DigitPairs =>
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"u8 +
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"u8 +
        "8081828384858687888990919293949596979899"u8;

    /// <summary>
    /// Writes <paramref name="value"/> to the start of <paramref name="destination"/>, which has room for
    /// <see cref="MaxLength"/> bytes, and returns how many bytes it wrote.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is NaN or infinite: JSON has no such number.</exception>
    public static int Format(double value, Span<byte> destination)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), "JSON has no NaN or infinity.");
        _ = destination[MaxLength - 1]; // one bounds check for all that follows

        ulong bits = BitConverter.DoubleToUInt64Bits(value);
        int length = 0;
        if ((long)bits < 0) destination[length++] = (byte)'-';
        ulong mantissa = bits & ((1UL << MantissaBits) - 1);
        int exponent = (int)(bits >> MantissaBits) & ((1 << ExponentBits) - 1);
        if (exponent == 0 && mantissa == 0)
        {
            destination[length++] = (byte)'0';
            return length;
        }

        (ulong Digits, int Exponent10) decimalForm;
        if (SmallInteger(mantissa, exponent, out var integer))
        {
            decimalForm = integer;
        }
        else if (mantissa == 0 && exponent > 1)
        {
            // A power of two: the double below is nearer than the one above. The framework's Grisu3 takes
            // the interval as symmetric all the same, its Dragon4 does not, and which of them answers depends
            // on Grisu3's error bounds. Where both intervals give the same digits (0.5, 0.25, 1024, ...),
            // those are the framework's; where not, only the framework itself knows what it writes.
            decimalForm = Decimal(mantissa, exponent, lowerEndNearer: true);
            if (decimalForm != Decimal(mantissa, exponent, lowerEndNearer: false))
            {
                if (!Utf8Formatter.TryFormat(Math.Abs(value), destination[length..], out int written))
                    throw new UnreachableException("A double fits in MaxLength bytes.");
                return length + written;
            }
        }
        else
        {
            decimalForm = Decimal(mantissa, exponent, lowerEndNearer: false);
        }

        (ulong digits, int exponent10) = decimalForm;
        return length + Layout(digits, exponent10, destination[length..]);
    }

    /// <summary>
    /// Ryu: the shortest <c>digits * 10^exponent10</c> in the interval of reals that round to the double
    /// (its ends included when the mantissa is even, as a reader rounding to even would take them), the
    /// closest to the double among those, an exact tie to an even last digit. The interval is symmetric
    /// unless <paramref name="lowerEndNearer"/> (a power of two, whose lower neighbour is half as far).
    /// </summary>
    private static (ulong Digits, int Exponent10) Decimal(ulong ieeeMantissa, int ieeeExponent, bool lowerEndNearer)
    {
        int e2;
        ulong m2;
        if (ieeeExponent == 0)
        {
            e2 = 1 - Bias - MantissaBits - 2;
            m2 = ieeeMantissa;
        }
        else
        {
            e2 = ieeeExponent - Bias - MantissaBits - 2;
            m2 = (1UL << MantissaBits) | ieeeMantissa;
        }
        bool acceptBounds = (m2 & 1) == 0;

        // The double and the ends of its interval, times 4 to stay integers: mv, mv + 2 and mv - 2 (mv - 1).
        ulong mv = 4 * m2;
        ulong mm = lowerEndNearer ? mv - 1 : mv - 2;
        ulong vr, vp, vm;
        int e10;
        bool vmIsTrailingZeros = false;
        bool vrIsTrailingZeros = false;
        if (e2 >= 0)
        {
            int q = Log10Pow2(e2) - (e2 > 3 ? 1 : 0);
            e10 = q;
            int k = Pow5InverseBits + Pow5BitLength(q) - 1;
            int i = -e2 + q + k;
            vr = MulShift(mv, Pow5Inverse, q, i);
            vp = MulShift(mv + 2, Pow5Inverse, q, i);
            vm = MulShift(mm, Pow5Inverse, q, i);
            if (q <= 21)
            {
                // Only here can the scaled values be exact integers, whose trailing zeros decide the rounding.
                if (mv % 5 == 0) vrIsTrailingZeros = IsMultipleOfPow5(mv, q);
                else if (acceptBounds) vmIsTrailingZeros = IsMultipleOfPow5(mm, q);
                else if (IsMultipleOfPow5(mv + 2, q)) vp--; // the upper end itself is out
            }
        }
        else
        {
            int q = Log10Pow5(-e2) - (-e2 > 1 ? 1 : 0);
            e10 = q + e2;
            int i = -e2 - q;
            int k = Pow5BitLength(i) - Pow5Bits;
            int j = q - k;
            vr = MulShift(mv, Pow5, i, j);
            vp = MulShift(mv + 2, Pow5, i, j);
            vm = MulShift(mm, Pow5, i, j);
            if (q <= 1)
            {
                vrIsTrailingZeros = true;
                if (acceptBounds) vmIsTrailingZeros = !lowerEndNearer; // mv - 2 has the one trailing zero bit it needs, mv - 1 none
                else vp--; // the upper end is out, and mv + 2 is even
            }
            else if (q < 63)
            {
                vrIsTrailingZeros = IsMultipleOfPow2(mv, q);
            }
        }

        int removed = 0;
        ulong output;
        if (vmIsTrailingZeros || vrIsTrailingZeros)
        {
            // Rare (under 1%): a scaled value is exact, so an end may be in and a removed 5 may be a tie.
            int lastRemovedDigit = 0;
            while (vp / 10 > vm / 10)
            {
                vmIsTrailingZeros &= vm % 10 == 0;
                vrIsTrailingZeros &= lastRemovedDigit == 0;
                lastRemovedDigit = (int)(vr % 10);
                vr /= 10;
                vp /= 10;
                vm /= 10;
                removed++;
            }
            if (vmIsTrailingZeros)
            {
                while (vm % 10 == 0)
                {
                    vrIsTrailingZeros &= lastRemovedDigit == 0;
                    lastRemovedDigit = (int)(vr % 10);
                    vr /= 10;
                    vp /= 10;
                    vm /= 10;
                    removed++;
                }
            }
            if (vrIsTrailingZeros && lastRemovedDigit == 5 && vr % 2 == 0) lastRemovedDigit = 4; // tie: to even
            bool roundUp = (vr == vm && (!acceptBounds || !vmIsTrailingZeros)) || lastRemovedDigit >= 5;
            output = vr + (roundUp ? 1UL : 0UL);
        }
        else
        {
            bool roundUp = false;
            if (vp / 100 > vm / 100)
            {
                // Most numbers lose at least two digits: one division by 100 instead of two by 10.
                roundUp = vr % 100 >= 50;
                vr /= 100;
                vp /= 100;
                vm /= 100;
                removed += 2;
            }
            while (vp / 10 > vm / 10)
            {
                roundUp = vr % 10 >= 5;
                vr /= 10;
                vp /= 10;
                vm /= 10;
                removed++;
            }
            output = vr + (vr == vm || roundUp ? 1UL : 0UL);
        }
        return WithoutTrailingZeros(output, e10 + removed);
    }

    /// <summary>An integer below 2^53 is its own shortest decimal: no interval search needed.</summary>
    private static bool SmallInteger(ulong ieeeMantissa, int ieeeExponent, out (ulong Digits, int Exponent10) integer)
    {
        int e2 = ieeeExponent - Bias - MantissaBits;
        ulong m2 = (1UL << MantissaBits) | ieeeMantissa;
        if (ieeeExponent == 0 || e2 > 0 || e2 < -MantissaBits || (m2 & ((1UL << -e2) - 1)) != 0)
        {
            integer = default;
            return false;
        }
        integer = WithoutTrailingZeros(m2 >> -e2, 0);
        return true;
    }

    private static (ulong Digits, int Exponent10) WithoutTrailingZeros(ulong digits, int exponent10)
    {
        while (digits % 10 == 0)
        {
            digits /= 10;
            exponent10++;
        }
        return (digits, exponent10);
    }

    /// <summary>
    /// Lays out <c>digits * 10^exponent10</c> as the framework does: plain while the point falls within
    /// <see cref="PlainDigits"/> digits of the first digit and no more than three zeros follow it,
    /// otherwise one digit, the rest after a point, and "E+XX" or "E-XX".
    /// </summary>
    private static int Layout(ulong digits, int exponent10, Span<byte> destination)
    {
        int count = DigitCount(digits);
        int scale = count + exponent10; // the number is 0.(digits) * 10^scale
        if (scale > PlainDigits || scale < -3)
        {
            WriteDigits(digits, destination.Slice(1, count));
            int length = 1;
            destination[0] = destination[1];
            if (count > 1)
            {
                destination[1] = (byte)'.';
                length = count + 1;
            }
            destination[length++] = (byte)'E';
            int power = scale - 1;
            destination[length++] = power < 0 ? (byte)'-' : (byte)'+';
            power = Math.Abs(power);
            if (power >= 100)
            {
                destination[length++] = (byte)('0' + power / 100);
                power %= 100;
            }
            DigitPairs.Slice(2 * power, 2).CopyTo(destination[length..]);
            return length + 2;
        }
        if (scale <= 0)
        {
            // 0.000ddd
            int zeros = -scale;
            destination[0] = (byte)'0';
            destination[1] = (byte)'.';
            destination.Slice(2, zeros).Fill((byte)'0');
            WriteDigits(digits, destination.Slice(2 + zeros, count));
            return 2 + zeros + count;
        }
        if (scale >= count)
        {
            // ddd000
            WriteDigits(digits, destination[..count]);
            destination[count..scale].Fill((byte)'0');
            return scale;
        }
        // dd.ddd
        WriteDigits(digits, destination.Slice(1, count));
        destination.Slice(1, scale).CopyTo(destination);
        destination[scale] = (byte)'.';
        return count + 1;
    }

    /// <summary>
    /// Writes the decimal digits of <paramref name="digits"/> (at most 17) to fill <paramref name="destination"/>,
    /// two at a time, the last eight with 32-bit arithmetic.
    /// </summary>
    private static void WriteDigits(ulong digits, Span<byte> destination)
    {
        ReadOnlySpan<byte> pairs = DigitPairs;
        int at = destination.Length;
        if (at > 8)
        {
            (digits, ulong lastEight) = Math.DivRem(digits, 100_000_000);
            uint low = (uint)lastEight;
            for (int pair = 0; pair < 4; pair++)
            {
                (low, uint twoDigits) = Math.DivRem(low, 100);
                at -= 2;
                destination[at + 1] = pairs[(int)(2 * twoDigits + 1)];
                destination[at] = pairs[(int)(2 * twoDigits)];
            }
        }
        uint high = (uint)digits;
        while (at >= 2)
        {
            (high, uint twoDigits) = Math.DivRem(high, 100);
            at -= 2;
            destination[at + 1] = pairs[(int)(2 * twoDigits + 1)];
            destination[at] = pairs[(int)(2 * twoDigits)];
        }
        if (at == 1) destination[0] = (byte)('0' + high);
    }

    /// <summary>How many decimal digits <paramref name="digits"/> (at most 17 of them) has; most have 15 to 17.</summary>
    private static int DigitCount(ulong digits)
    {
        int count = 17;
        ulong power = 10_000_000_000_000_000;
        while (digits < power && count > 1)
        {
            power /= 10;
            count--;
        }
        return count;
    }

    /// <summary>(m * table[index]) >> shift, the table's entry being 128 bits and the shift at least 64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulShift(ulong m, ulong[] table, int index, int shift)
    {
        ulong high = table[2 * index];
        ulong low = table[2 * index + 1];
        ulong lowProductHigh = Math.BigMul(m, low, out _);
        ulong productHigh = Math.BigMul(m, high, out ulong productLow);
        ulong sumLow = productLow + lowProductHigh;
        ulong sumHigh = productHigh + (sumLow < productLow ? 1UL : 0UL);
        int right = shift - 64; // between 1 and 63 for every double
        return (sumLow >> right) | (sumHigh << (64 - right));
    }

    private static bool IsMultipleOfPow5(ulong value, int power)
    {
        for (int count = 0; count < power; count++)
        {
            if (value % 5 != 0) return false;
            value /= 5;
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsMultipleOfPow2(ulong value, int power) => (value & ((1UL << power) - 1)) == 0;

    /// <summary>floor(log10(2^e)) for 0 &lt;= e &lt;= 1650.</summary>
    private static int Log10Pow2(int e) => (int)(((uint)e * 78913) >> 18);

    /// <summary>floor(log10(5^e)) for 0 &lt;= e &lt;= 2620.</summary>
    private static int Log10Pow5(int e) => (int)(((uint)e * 732923) >> 20);

    /// <summary>The bit length of 5^e, ceil(log2(5^e)) or 1 for e = 0, for 0 &lt;= e &lt;= 3528.</summary>
    private static int Pow5BitLength(int e) => (int)(((uint)e * 1217359) >> 19) + 1;

    private static ulong[] Pow5Table(int size, bool inverse)
    {
        var table = new ulong[2 * size];
        BigInteger pow = BigInteger.One;
        for (int i = 0; i < size; i++, pow *= 5)
        {
            int length = (int)pow.GetBitLength();
            BigInteger entry = inverse
                ? (BigInteger.One << (length - 1 + Pow5InverseBits)) / pow + 1
                : length > Pow5Bits ? pow >> (length - Pow5Bits) : pow << (Pow5Bits - length);
            table[2 * i] = (ulong)(entry >> 64);
            table[2 * i + 1] = (ulong)(entry & ulong.MaxValue);
        }
        return table;
    }
}
