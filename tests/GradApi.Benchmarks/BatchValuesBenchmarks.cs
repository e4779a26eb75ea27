using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using GradApi.CompiledGraphs;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Expressions;
using GradApi.Evaluate;

namespace GradApi.Benchmarks;

/// <summary>
/// Reading the values of a batch of B = 10^5 points on the registered sigmoid neuron, the body tests/load/graphs.sh
/// posts (x0 and x1 per point, the weights broadcast): 2 * 10^5 numbers, with six decimals as the script writes them
/// (1.8 MB), or in the 16 or 17 digits of a double's shortest round-trip form, as <c>json.dumps</c> writes any double
/// (3.9 MB). The baseline walks the body token by token with <see cref="Utf8JsonReader.TryGetDouble"/>, as the values
/// reader did; the Mean column reads in ns per number.
/// </summary>
[MemoryDiagnoser]
public class BatchValuesBenchmarks
{
    public const int Size = 100_000;
    private const int Numbers = 2 * Size;

    private byte[] _body = [];
    private CompiledGraph _graph = null!;
    private readonly double[] _lanes = new double[Numbers];

    [Params("six decimals", "round-trip")]
    public string Digits { get; set; } = "six decimals";

    [GlobalSetup]
    public void Setup()
    {
        const string neuron = """
            {"nodes": [
              {"id": "w0", "op": "input", "value": 2}, {"id": "x0", "op": "input", "value": -1},
              {"id": "w1", "op": "input", "value": -3}, {"id": "x1", "op": "input", "value": -2},
              {"id": "w2", "op": "input", "value": -3},
              {"id": "a", "op": "mul", "inputs": ["w0", "x0"]}, {"id": "b", "op": "mul", "inputs": ["w1", "x1"]},
              {"id": "d", "op": "add", "inputs": ["a", "b", "w2"]}, {"id": "f", "op": "sigmoid", "inputs": ["d"]}],
             "output": "f"}
            """;
        _graph = CompiledGraph.Compile(CanonicalGraph.FromJson(Encoding.UTF8.GetBytes(neuron)), new GraphCompiler(), new ExpressionParser())
            ?? throw new InvalidOperationException("The neuron does not compile.");
        // Round-trip: the lane moved off its six decimals by a few parts in 10^9, so that it needs all its digits.
        string Lanes(Func<int, double> lane) => string.Join(", ", Enumerable.Range(0, Size).Select(i =>
            (Digits == "round-trip" ? lane(i) + 3e-9 * Math.Sin(i) : Math.Round(lane(i), 6)).ToString("R", CultureInfo.InvariantCulture)));
        _body = Encoding.UTF8.GetBytes(
            $$$"""{"batch": {"w0": 2, "w1": -3, "w2": -3, "x0": [{{{Lanes(i => -1 + 2.0 * i / Size)}}}], "x1": [{{{Lanes(i => 2 - 4.0 * i / Size)}}}]}}""");
        Console.WriteLine($"// body: {_body.Length:N0} bytes");
        if (TokenByToken() != Read()) throw new InvalidOperationException("The readers disagree.");
    }

    /// <summary>Every number of the lanes (x0's, then x1's), token by token, with <see cref="Utf8JsonReader.TryGetDouble"/>.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Numbers)]
    public double TokenByToken()
    {
        var reader = new Utf8JsonReader(_body);
        int count = 0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.Number && reader.CurrentDepth == 3 && reader.TryGetDouble(out double value))
                _lanes[count++] = value;
        }
        return _lanes[Size - 1] + _lanes[Numbers - 1];
    }

    /// <summary>The same walk with <see cref="JsonNumber"/> in place of <see cref="Utf8JsonReader.TryGetDouble"/>.</summary>
    [Benchmark(OperationsPerInvoke = Numbers)]
    public double TokenByTokenJsonNumber()
    {
        var reader = new Utf8JsonReader(_body);
        int count = 0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.Number && reader.CurrentDepth == 3 && JsonNumber.TryParse(reader.ValueSpan, out double value))
                _lanes[count++] = value;
        }
        return _lanes[Size - 1] + _lanes[Numbers - 1];
    }

    /// <summary>What the service runs: the body read against the graph into pooled lanes, then given back.</summary>
    [Benchmark(OperationsPerInvoke = Numbers)]
    public double Read()
    {
        using GraphValues values = GraphValuesReader.Read(_body, _graph, EvaluationMode.Training, new BatchLimits(1_000_000, long.MaxValue));
        ReadOnlySpan<double> x0 = values.Lanes(1)!.Value.Span, x1 = values.Lanes(3)!.Value.Span;
        return x0[Size - 1] + x1[Size - 1];
    }
}
