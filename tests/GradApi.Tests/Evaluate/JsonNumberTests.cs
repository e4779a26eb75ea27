using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using GradApi.Evaluate;

namespace GradApi.Tests.Evaluate;

/// <summary>
/// <see cref="JsonNumber"/> against the reader it replaces: for every token, the same answer as
/// <see cref="Utf8JsonReader.TryGetDouble"/>, to the bit (-0, subnormals, halfway cases, 17+ digits, overflow).
/// </summary>
public sealed class JsonNumberTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("-0.0")]
    [InlineData("-0e5")]
    [InlineData("0e-400")]
    [InlineData("-0.000e+999999999")]
    [InlineData("1")]
    [InlineData("-1")]
    [InlineData("0.1")]
    [InlineData("0.125")]
    [InlineData("-1.999984")]
    [InlineData("3e-7")]
    [InlineData("1E5")]
    [InlineData("1e+5")]
    [InlineData("1.5E-3")]
    [InlineData("9007199254740992")] // 2^53
    [InlineData("9007199254740993")] // 2^53 + 1: halfway, rounds to even (2^53)
    [InlineData("9007199254740995")] // halfway, rounds to even (2^53 + 4)
    [InlineData("9007199254740994")]
    [InlineData("9007199254740991")]
    [InlineData("900719925474099.3")]
    [InlineData("9007199254740993.0")]
    [InlineData("9007199254740993.00000000001")]
    [InlineData("18014398509481985")]
    [InlineData("1e22")]
    [InlineData("1e23")]
    [InlineData("-1e23")]
    [InlineData("1.5e23")]
    [InlineData("123456789e30")]
    [InlineData("9007199254740992e15")]
    [InlineData("9007199254740993e15")]
    [InlineData("1e-22")]
    [InlineData("1e-23")]
    [InlineData("4503599627370496.5")]
    [InlineData("4503599627370497.5")]
    [InlineData("0.30000000000000004")]
    [InlineData("0.1000000000000000055511151231257827021181583404541015625")]
    [InlineData("0.1000000000000000055511151231257827021181583404541015624")]
    [InlineData("0.1000000000000000055511151231257827021181583404541015626")]
    [InlineData("2.2250738585072011e-308")]
    [InlineData("2.2250738585072012e-308")]
    [InlineData("2.2250738585072014e-308")] // the smallest normal
    [InlineData("4.9406564584124654e-324")] // the smallest subnormal
    [InlineData("2.4703282292062327e-324")] // below half of it: 0
    [InlineData("2.4703282292062328e-324")] // above half of it: the smallest subnormal
    [InlineData("1e-400")]
    [InlineData("-1e-400")]
    [InlineData("1.7976931348623157e308")] // the largest double
    [InlineData("1.7976931348623158e308")]
    [InlineData("1.7976931348623159e308")] // rounds past it: infinity (which the readers refuse)
    [InlineData("1e309")]
    [InlineData("-1e309")]
    [InlineData("1e999999999999")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("12345678901234567890")]
    [InlineData("1234567890123456789")]
    [InlineData("0.000000000000000000000000000001")]
    [InlineData("100000000000000000000000000000000000000000000000000000000000000000000000000000000001")]
    [InlineData("1.00000000000000000000000000000000000000000000000000000000000000000000000000000000001")]
    [InlineData("18014398509481983")] // 2^54 - 1: rounds up into the next binade
    [InlineData("0.99999999999999999")]
    [InlineData("1.99999999999999999")]
    [InlineData("9.9999999999999999e22")]
    [InlineData("7.9999999999999999e-300")]
    [InlineData("-3.9999999999999999e200")]
    [InlineData("1.00000000000000011102230246251565404236316680908203125")] // 1 + half an ulp: to even, 1
    [InlineData("1.00000000000000011102230246251565404236316680908203126")] // just above: 1 + ulp
    public void AHandPickedToken_ReadsAsTryGetDoubleReadsIt(string token) => AssertSame(token);

    [Fact]
    public void ALongRunOfZeros_ReadsAsTryGetDoubleReadsIt()
    {
        foreach (int zeros in new[] { 18, 19, 20, 22, 23, 300, 400, 800, 5000 })
        {
            string run = new('0', zeros);
            AssertSame($"1{run}");
            AssertSame($"1{run}e-{zeros}");
            AssertSame($"0.{run}1");
            AssertSame($"0.{run}1e{zeros}");
            AssertSame($"1.{run}1");
            AssertSame($"1.{run}");
            AssertSame($"-9007199254740993{run}e-{zeros}");
            AssertSame($"4.{run}9e-324");
        }
    }

    [Fact]
    public void RandomDoubles_InEveryFormatAClientWrites_ReadAsTryGetDoubleReadsThem()
    {
        var random = new Random(20261203);
        Span<byte> bits = stackalloc byte[8];
        for (int n = 0; n < 300_000; n++)
        {
            random.NextBytes(bits);
            double any = BitConverter.ToDouble(bits);
            if (!double.IsFinite(any)) continue;
            AssertSame(any.ToString("R", CultureInfo.InvariantCulture));
            AssertSame(any.ToString("E16", CultureInfo.InvariantCulture));
            double usual = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-8, 9));
            AssertSame(usual.ToString("R", CultureInfo.InvariantCulture));
            AssertSame(Math.Round(usual, random.Next(0, 10)).ToString("R", CultureInfo.InvariantCulture));
            AssertSame(usual.ToString("G" + random.Next(1, 18), CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void RandomDigitStrings_ReadAsTryGetDoubleReadsThem()
    {
        var random = new Random(53);
        var token = new StringBuilder();
        for (int n = 0; n < 1_000_000; n++)
        {
            token.Clear();
            if (random.Next(2) == 0) token.Append('-');
            int integerDigits = random.Next(1, 25);
            token.Append(integerDigits == 1 ? (char)('0' + random.Next(10)) : (char)('1' + random.Next(9)));
            for (int k = 1; k < integerDigits; k++) token.Append(Digit(random));
            if (random.Next(2) == 0)
            {
                token.Append('.');
                int fraction = random.Next(1, 25);
                for (int k = 0; k < fraction; k++) token.Append(Digit(random));
            }
            if (random.Next(2) == 0)
            {
                token.Append(random.Next(2) == 0 ? 'e' : 'E');
                if (random.Next(3) != 0) token.Append(random.Next(2) == 0 ? '-' : '+');
                token.Append(random.Next(4) switch { 0 => random.Next(10), 1 => random.Next(30), 2 => random.Next(60), _ => random.Next(400) });
            }
            AssertSame(token.ToString());
        }
    }

    [Fact]
    public void TheHalfwayPoints_BetweenNeighbouringDoubles_AndTheirNeighbours_ReadAsTryGetDoubleReadsThem()
    {
        var random = new Random(1990);
        Span<byte> bits = stackalloc byte[8];
        for (int n = 0; n < 20_000; n++)
        {
            double below;
            if (n % 4 == 0)
            {
                // Near 2^53 and the integers, where the fast path's bound is.
                below = Math.ScaleB(1, 53) + random.Next(-4096, 4096) * (n % 8 == 0 ? 1 : 2);
            }
            else
            {
                random.NextBytes(bits);
                below = Math.Abs(BitConverter.ToDouble(bits));
                if (n % 4 == 1) below = Math.Abs((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-30, 31)));
                if (!double.IsFinite(below) || below == double.MaxValue) continue;
            }
            (BigInteger digits, int exponent) = Halfway(below);
            foreach (BigInteger near in new[] { digits, digits - 1, digits + 1 })
            {
                string token = Decimal(near, exponent);
                AssertSame(token);
                AssertSame("-" + token);
            }
        }
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("-", 0)]
    [InlineData("+1", 0)]
    [InlineData(".5", 0)]
    [InlineData("1.", 0)]
    [InlineData("1.e5", 0)]
    [InlineData("1e", 0)]
    [InlineData("1e+", 0)]
    [InlineData("-a", 0)]
    [InlineData("- 1", 0)]
    [InlineData("NaN", 0)]
    [InlineData("Infinity", 0)]
    [InlineData("-Infinity", 0)]
    [InlineData("1e400", 5)]
    [InlineData("01", 1)]
    [InlineData("-00", 2)]
    [InlineData("1.5.3", 3)]
    [InlineData("12,3", 2)]
    [InlineData("7]", 1)]
    [InlineData("2e5e5", 3)]
    [InlineData("3 ", 1)]
    [InlineData("1.25e-2x", 7)]
    public void Read_TakesTheLongestJsonNumberAtTheStart_AndNothingThatIsNotOne(string text, int length)
    {
        Assert.Equal(length, JsonNumber.Read(Encoding.UTF8.GetBytes(text), out _));
    }

    private static void AssertSame(string token)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(token);
        var reader = new Utf8JsonReader(utf8);
        Assert.True(reader.Read() && reader.TokenType == JsonTokenType.Number, token);
        bool expected = reader.TryGetDouble(out double expectedValue);
        bool actual = JsonNumber.TryParse(utf8, out double actualValue);
        if (actual != expected || (expected && BitConverter.DoubleToInt64Bits(actualValue) != BitConverter.DoubleToInt64Bits(expectedValue)))
            Assert.Fail($"{token}: TryGetDouble gives {expected} {expectedValue:R}, JsonNumber {actual} {actualValue:R}");

        // And with the rest of an array after it, as the batch reader meets it: the digits end inside a wider read.
        byte[] followed = Encoding.UTF8.GetBytes(token + ",12345678]");
        if (JsonNumber.Read(followed, out double followedValue) != utf8.Length
            || BitConverter.DoubleToInt64Bits(followedValue) != BitConverter.DoubleToInt64Bits(expectedValue))
            Assert.Fail($"{token},12345678]: TryGetDouble gives {expectedValue:R} for the number, JsonNumber {followedValue:R}");
    }

    private static char Digit(Random random) => random.Next(4) == 0 ? '0' : (char)('0' + random.Next(10));

    /// <summary>The exact point halfway between <paramref name="below"/> (finite, at least 0) and the next double up, as digits * 10^exponent.</summary>
    private static (BigInteger Digits, int Exponent) Halfway(double below)
    {
        long raw = BitConverter.DoubleToInt64Bits(below);
        long mantissa = raw & ((1L << 52) - 1);
        int biased = (int)(raw >> 52);
        if (biased != 0) mantissa |= 1L << 52;
        int binary = (biased == 0 ? 1 : biased) - 1075;
        // (2 * mantissa + 1) * 2^(binary - 1), written in decimal exactly.
        var odd = new BigInteger(2 * mantissa + 1);
        int power = binary - 1;
        return power >= 0 ? (odd << power, 0) : (odd * BigInteger.Pow(5, -power), power);
    }

    /// <summary>digits * 10^exponent as a token: <c>123e-5</c>, or with a point, <c>1.23e-3</c>.</summary>
    private static string Decimal(BigInteger digits, int exponent)
    {
        string text = digits.ToString(CultureInfo.InvariantCulture);
        if (exponent == 0) return text;
        return digits.IsEven ? $"{text}e{exponent}" : $"{text[0]}.{text[1..]}e{exponent + text.Length - 1}";
    }
}
