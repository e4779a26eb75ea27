using System.Numerics;

namespace GradApi.Evaluate;

/// <summary>
/// The Eisel-Lemire algorithm: the double nearest <c>significand * 10^power</c> for any significand of up to 19
/// digits, from one (rarely two) 64 x 128-bit multiplies by a truncated power of ten, or no answer in the few cases
/// it cannot decide (a product too close to a halfway point, a subnormal, an overflow), which the caller leaves to
/// the general parser. This is what reads the 17-digit numbers most JSON writers give a double (Python's
/// <c>json.dumps</c>, <c>ToString("R")</c>) without the general parser's cost.
/// </summary>
/// <remarks>
/// Lemire, "Number parsing at a gigabyte per second" (2021), as Go's <c>strconv</c> writes it (<c>eisel_lemire.go</c>,
/// the variant that declines, rather than decides, the ambiguous cases).
/// </remarks>
internal static class EiselLemire
{
    /// <summary>The powers of ten in the table: below it every significand of 19 digits is 0, above it infinity.</summary>
    private const int MinPower = -348, MaxPower = 347;

    /// <summary>Bits 127 to 64 and 63 to 0 of 10^p, scaled by a power of two to have its top bit set and truncated: row p - MinPower.</summary>
    private static readonly ulong[] High = new ulong[MaxPower - MinPower + 1], Low = new ulong[MaxPower - MinPower + 1];

    /// <summary>Computes the table once (a few milliseconds), rather than carrying 700 lines of constants.</summary>
    static EiselLemire()
    {
        for (int power = MinPower; power <= MaxPower; power++)
        {
            BigInteger exact = BigInteger.Pow(10, Math.Abs(power));
            int bits = (int)exact.GetBitLength();
            BigInteger truncated = power >= 0
                ? (bits > 128 ? exact >> (bits - 128) : exact << (128 - bits))
                : (BigInteger.One << (127 + bits)) / exact; // in [2^127, 2^128): 10^-p is no power of two
            High[power - MinPower] = (ulong)(truncated >> 64);
            Low[power - MinPower] = (ulong)(truncated & ulong.MaxValue);
        }
    }

    /// <summary>
    /// The double nearest <paramref name="significand"/> (not 0) * 10^<paramref name="power"/>, negated if
    /// <paramref name="negative"/>; false when the algorithm cannot tell it for sure.
    /// </summary>
    public static bool TryCompute(ulong significand, int power, bool negative, out double value)
    {
        value = 0;
        if (significand == 0 || power < MinPower || power > MaxPower) return false;

        // Normalized, the significand's leading zeros and floor(power * log2(10)) (217706 / 2^16 is log2(10) closely
        // enough over the table) give the biased binary exponent.
        int leadingZeros = BitOperations.LeadingZeroCount(significand);
        significand <<= leadingZeros;
        ulong exponent = (ulong)(((217706 * power) >> 16) + 64 + 1023) - (ulong)leadingZeros;

        // The top 64 bits of the product; when the bits below the mantissa's are all ones, a carry from the next 64
        // could change them: multiply by the table's low half too, and give up if even that leaves it open.
        int row = power - MinPower;
        ulong high = Math.BigMul(significand, High[row], out ulong low);
        if ((high & 0x1FF) == 0x1FF && low + significand < significand)
        {
            ulong carryHigh = Math.BigMul(significand, Low[row], out ulong carryLow);
            ulong mergedHigh = high, mergedLow = low + carryHigh;
            if (mergedLow < low) mergedHigh++;
            if ((mergedHigh & 0x1FF) == 0x1FF && mergedLow + 1 == 0 && carryLow + significand < significand) return false;
            (high, low) = (mergedHigh, mergedLow);
        }

        // 54 bits: the mantissa and one more to round with.
        ulong top = high >> 63;
        ulong mantissa = high >> (int)(top + 9);
        exponent -= 1 ^ top;

        // Exactly halfway between two doubles, as far as these bits tell: the truncated table cannot say which way.
        if (low == 0 && (high & 0x1FF) == 0 && (mantissa & 3) == 1) return false;

        // Round half up to 53 bits (a tie that goes down to the even neighbour was declined above); a carry past them
        // adds one to the exponent.
        mantissa += mantissa & 1;
        mantissa >>= 1;
        if (mantissa >> 53 > 0)
        {
            mantissa >>= 1;
            exponent++;
        }

        // A biased exponent of 0 (or one that wrapped below it) is a subnormal, 0x7FF or more an overflow: not ours.
        if (exponent - 1 >= 0x7FF - 1) return false;
        ulong bits = exponent << 52 | mantissa & 0x000F_FFFF_FFFF_FFFF;
        if (negative) bits |= 0x8000_0000_0000_0000;
        value = BitConverter.UInt64BitsToDouble(bits);
        return true;
    }
}
