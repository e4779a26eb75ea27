using System.Buffers;
using System.Text;
using System.Text.Json;
using GradApi.Answers;

namespace GradApi.Tests.Answers;

/// <summary>
/// <see cref="ShortestDouble"/> writes every finite double exactly as <see cref="Utf8JsonWriter"/> does, which
/// is what every answer wrote before it: random bit patterns across all exponents, subnormals, integers,
/// powers of two and of ten and their neighbours, and the edges of the layout (where the exponent starts).
/// </summary>
public sealed class ShortestDoubleTests
{
    private readonly ArrayBufferWriter<byte> _framework = new(64);
    private readonly Utf8JsonWriter _writer;
    private readonly byte[] _ours = new byte[ShortestDouble.MaxLength];

    public ShortestDoubleTests() => _writer = new Utf8JsonWriter(_framework, new JsonWriterOptions { SkipValidation = true });

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(-0.0, "-0")]
    [InlineData(-12.0, "-12")]
    [InlineData(0.73, "0.73")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e16, "10000000000000000")]
    [InlineData(1e17, "1E+17")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1E-05")]
    [InlineData(1.5e-5, "1.5E-05")]
    [InlineData(123456789012345678.0, "1.2345678901234568E+17")]
    [InlineData(double.Epsilon, "5E-324")]
    [InlineData(double.MaxValue, "1.7976931348623157E+308")]
    [InlineData(double.MinValue, "-1.7976931348623157E+308")]
    [InlineData(2.2250738585072014E-308, "2.2250738585072014E-308")]
    [InlineData(1e23, "1E+23")]
    public void HandPicked_AreWrittenAsTheFrameworkWritesThem(double value, string expected)
    {
        Assert.Equal(expected, Ours(value));
        Assert.Equal(expected, Framework(value));
    }

    [Fact]
    public void PowersOfTwoAndTen_AndTheirNeighbours_AreWrittenAsTheFrameworkWritesThem()
    {
        var values = new List<double>();
        for (int e = -1075; e <= 1024; e++) values.Add(Math.ScaleB(1, e));
        for (int e = -324; e <= 308; e++) values.Add(double.Parse($"1e{e}", System.Globalization.CultureInfo.InvariantCulture));
        foreach (double power in values.ToArray())
        {
            values.Add(Math.BitIncrement(power));
            values.Add(Math.BitDecrement(power));
        }
        AssertAllAsTheFramework(values.Where(double.IsFinite).SelectMany(v => new[] { v, -v }));
    }

    [Fact]
    public void Integers_AreWrittenAsTheFrameworkWritesThem()
    {
        var random = new Random(7);
        IEnumerable<double> small = Enumerable.Range(-100_000, 200_001).Select(i => (double)i);
        IEnumerable<double> large = Enumerable.Range(0, 200_000).Select(_ => (double)random.NextInt64() / (1L << random.Next(0, 40)));
        IEnumerable<double> huge = Enumerable.Range(0, 100_000).Select(_ => Math.Round(random.NextDouble() * 1e6) * Math.Pow(10, random.Next(0, 25)));
        AssertAllAsTheFramework(small.Concat(large).Concat(huge));
    }

    [Fact]
    public void RandomBitPatterns_AcrossAllExponents_AreWrittenAsTheFrameworkWritesThem()
    {
        var random = new Random(20261203);
        AssertAllAsTheFramework(Enumerable.Range(0, 2_000_000)
            .Select(_ => BitConverter.UInt64BitsToDouble((ulong)random.NextInt64() | ((ulong)random.Next(2) << 63)))
            .Where(double.IsFinite));
    }

    [Fact]
    public void Subnormals_AreWrittenAsTheFrameworkWritesThem()
    {
        var random = new Random(5);
        AssertAllAsTheFramework(Enumerable.Range(0, 200_000)
            .Select(i => BitConverter.UInt64BitsToDouble(i < 1000 ? (ulong)i : (ulong)random.NextInt64(1L << 52))));
    }

    [Fact]
    public void NumbersAsAnswersHoldThem_AreWrittenAsTheFrameworkWritesThem()
    {
        // Values and grads of real graphs: mostly 15 to 17 digits near 1, and short decimals.
        var random = new Random(11);
        AssertAllAsTheFramework(Enumerable.Range(0, 500_000).Select(i => (i % 4) switch
        {
            0 => random.NextDouble() * 4 - 2,
            1 => Math.Tanh(random.NextDouble() - 0.5) * random.Next(1, 1000),
            2 => Math.Round(random.NextDouble() * 100, random.Next(0, 6)),
            _ => Math.Exp(random.NextDouble() * 80 - 40),
        }));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NaNAndInfinity_AreRefused_AsTheFrameworkRefusesThem(double value)
    {
        Assert.ThrowsAny<ArgumentException>(() => ShortestDouble.Format(value, _ours));
        Assert.ThrowsAny<ArgumentException>(() => Framework(value));
    }

    private void AssertAllAsTheFramework(IEnumerable<double> values)
    {
        int count = 0;
        foreach (double value in values)
        {
            int length = ShortestDouble.Format(value, _ours);
            WriteFramework(value);
            if (!_framework.WrittenSpan.SequenceEqual(_ours.AsSpan(0, length)))
                Assert.Fail($"{BitConverter.DoubleToUInt64Bits(value):X16}: the framework writes {Framework(value)}, ours {Ours(value)}");
            count++;
        }
        Assert.True(count > 0);
    }

    private string Ours(double value) => Encoding.ASCII.GetString(_ours, 0, ShortestDouble.Format(value, _ours));

    private string Framework(double value)
    {
        WriteFramework(value);
        return Encoding.ASCII.GetString(_framework.WrittenSpan);
    }

    private void WriteFramework(double value)
    {
        _framework.ResetWrittenCount();
        _writer.Reset(_framework);
        _writer.WriteNumberValue(value);
        _writer.Flush();
    }
}
