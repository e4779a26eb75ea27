using System.Globalization;
using System.Text;
using System.Text.Json;
using GradApi.CompiledGraphs;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Expressions;
using GradApi.Problems;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.CompiledGraphs;

/// <summary>
/// A long batch array read in parts at once, each part into its own lanes: the same numbers, bit for bit, as
/// <see cref="JsonDocument"/> reads, wherever the cuts fall, and a bad number in any part still sends the array to the
/// token-by-token reader, which names it.
/// </summary>
public sealed class NumberArrayReaderTests
{
    private static readonly CompiledGraph AddMul =
        CompiledGraph.Compile(CanonicalGraph.FromJson(Encoding.UTF8.GetBytes(Graphs.AddMul)), new GraphCompiler(), new ExpressionParser())!;

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    public void AnArrayReadInParts_ReadsAsJsonDocumentReadsIt_WhereverTheCutsFall(int parts)
    {
        var random = new Random(parts);
        for (int trial = 0; trial < 50; trial++)
        {
            string array = RandomArray(random, random.Next(parts, 400));
            double[] expected = Expected(array);
            double[] lanes = new double[expected.Length];

            Assert.True(NumberArrayReader.ReadInParts(Encoding.UTF8.GetBytes(array), lanes, expected.Length, parts), array);

            Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), lanes.Select(BitConverter.DoubleToInt64Bits));
        }
    }

    [Theory]
    [InlineData("0, -0, 0.0, -0.000, 7, -7, 0.5, -0.99998, 1.99996, 10, 100.25")]
    [InlineData("123456789012345, -12345678901234.5, 0.00000000000001, 99999999999999.9")] // 15 digits: read inline
    [InlineData("1234567890123456, 9007199254740993, 0.000000000000001, 1.0000000000000001")] // 16 and 17: JsonNumber
    [InlineData("1e5, -2.5E-3, 1e+2, 0e0, 12345678901234567890, 4.9406564584124654e-324")]
    [InlineData("1.7976931348623157e308, 0.1000000000000000055511151231257827021181583404541015625")]
    public void ANumberOfAnyShape_ReadsAsJsonDocumentReadsIt(string array)
    {
        double[] expected = Expected(array);
        double[] lanes = new double[expected.Length];

        Assert.True(NumberArrayReader.ReadNumbers(Encoding.UTF8.GetBytes(array), lanes));

        Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), lanes.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void RandomDigitStrings_ReadAsJsonDocumentReadsThem()
    {
        var random = new Random(2026);
        var array = new StringBuilder();
        for (int n = 0; n < 20_000; n++)
        {
            if (n > 0) array.Append(", ");
            if (random.Next(2) == 0) array.Append('-');
            int integerDigits = random.Next(1, 19);
            array.Append(integerDigits == 1 ? (char)('0' + random.Next(10)) : (char)('1' + random.Next(9)));
            for (int k = 1; k < integerDigits; k++) array.Append((char)('0' + random.Next(10)));
            if (random.Next(3) != 0)
            {
                array.Append('.');
                int fraction = random.Next(1, 19);
                for (int k = 0; k < fraction; k++) array.Append((char)('0' + random.Next(10)));
            }
        }
        string text = array.ToString();
        double[] expected = Expected(text);
        double[] lanes = new double[expected.Length];

        Assert.True(NumberArrayReader.ReadNumbers(Encoding.UTF8.GetBytes(text), lanes));

        Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), lanes.Select(BitConverter.DoubleToInt64Bits));
    }

    [Theory]
    [InlineData("1, 00")]
    [InlineData("1, -01.5")]
    [InlineData("1.5x, 2")]
    [InlineData("1, 2.")]
    [InlineData("1, -")]
    [InlineData("1, 2.5.5")]
    [InlineData("1, 2e")]
    public void ANumberThatIsNotJson_FailsTheArray(string array)
    {
        Assert.False(NumberArrayReader.ReadNumbers(Encoding.UTF8.GetBytes(array), new double[2]));
    }

    [Theory]
    [InlineData("01")]
    [InlineData("1.")]
    [InlineData("")]
    [InlineData("1e400")]
    [InlineData("1 2")]
    [InlineData("\"3\"")]
    public void ABadNumberInAnyPart_FailsTheWholeArray(string bad)
    {
        for (int at = 0; at < 30; at++)
        {
            string[] numbers = [.. Enumerable.Range(0, 30).Select(i => i == at ? bad : (i * 0.25).ToString(CultureInfo.InvariantCulture))];
            string array = string.Join(", ", numbers);

            Assert.False(NumberArrayReader.ReadInParts(Encoding.UTF8.GetBytes(array), new double[30], 30, 4), array);
        }
    }

    [Fact]
    public void ACutThatFindsNoCommaAfterIt_ReadsTheArrayInOnePart()
    {
        string array = "1, 2.5, -3" + new string(' ', 100);
        double[] lanes = new double[3];

        Assert.True(NumberArrayReader.ReadInParts(Encoding.UTF8.GetBytes(array), lanes, 3, 3));

        Assert.Equal([1, 2.5, -3], lanes);
    }

    [Fact]
    public void ALongBatch_ReadsAsJsonDocumentReadsIt()
    {
        var random = new Random(17);
        string x = RandomArray(random, 70_000), y = RandomArray(random, 70_000);
        string body = $$$"""{"batch": {"x": [{{{x}}}], "y": [{{{y}}}], "z": 2}}""";

        using GraphValues values = Read(body);

        Assert.Equal(70_000, values.Size);
        Assert.Equal(Expected(x).Select(BitConverter.DoubleToInt64Bits), values.Lanes(Array.IndexOf(AddMul.InputIds, "x"))!.Value.ToArray().Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(Expected(y).Select(BitConverter.DoubleToInt64Bits), values.Lanes(Array.IndexOf(AddMul.InputIds, "y"))!.Value.ToArray().Select(BitConverter.DoubleToInt64Bits));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(40_000)]
    [InlineData(69_999)]
    public void ABadNumberInALongBatch_IsNamedByItsPath(int at)
    {
        string x = string.Join(", ", Enumerable.Range(0, 70_000).Select(i => i == at ? "null" : "0.5"));

        var problem = Assert.Throws<ProblemException>(() => Read($$$"""{"batch": {"x": [{{{x}}}]}}"""));

        Assert.Equal(400, problem.Status);
        Assert.Equal($"batch.x[{at}]", Assert.Single(problem.Errors!).Key);
    }

    /// <summary>Numbers as clients write them (rounded, round-trip, exponents, -0), in any JSON whitespace.</summary>
    private static string RandomArray(Random random, int count)
    {
        var array = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            if (i > 0) array.Append(random.Next(4) switch { 0 => ",", 1 => ", ", 2 => " ,\n", _ => ",\r\n\t" });
            double value = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-6, 7));
            array.Append(random.Next(5) switch
            {
                0 => Math.Round(value, 6).ToString("R", CultureInfo.InvariantCulture),
                1 => value.ToString("R", CultureInfo.InvariantCulture),
                2 => value.ToString("E3", CultureInfo.InvariantCulture),
                3 => random.Next(-1000, 1000).ToString(CultureInfo.InvariantCulture),
                _ => "-0",
            });
        }
        return array.ToString();
    }

    private static double[] Expected(string array)
    {
        using var document = JsonDocument.Parse($"[{array}]");
        return [.. document.RootElement.EnumerateArray().Select(e => e.GetDouble())];
    }

    private static GraphValues Read(string body) =>
        GraphValuesReader.Read(Encoding.UTF8.GetBytes(body), AddMul, EvaluationMode.Training, new BatchLimits(100_000, 10_000_000));
}
