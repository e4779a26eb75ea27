using System.Text.Json;
using BenchmarkDotNet.Attributes;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;

namespace GradApi.Benchmarks;

/// <summary>
/// A parse and the compile of its graph, one after the other (the baseline) and overlapped with
/// <see cref="CompileAhead"/>, which resolves the nodes on the other core while the parse adds them. The parse is a
/// plain <see cref="Utf8JsonReader"/> loop over the body of a random DAG (ids, ops, values, inputs into a
/// <see cref="GraphSpec"/>), standing in for the service's reader until that calls <see cref="CompileAhead.Added"/>.
/// On an idle machine with two cores or more, the overlapped compile should cost about what its output, queue,
/// tape and plan cost, the resolving (half of it or more) being done by the time the parse ends.
/// </summary>
[MemoryDiagnoser]
public class CompileAheadBenchmarks
{
    private byte[] _body = [];

    [ParamsSource(nameof(Sizes))]
    public int N { get; set; }

    [Params(EvaluationMode.Training, EvaluationMode.Inference)]
    public EvaluationMode Mode { get; set; }

    public static IEnumerable<int> Sizes => BenchmarkSizes.Or(100_000, 1_000_000);

    [GlobalSetup]
    public void Setup()
    {
        using GraphSpec spec = RandomGraphs.Dag(N);
        _body = GraphJson.Serialize(spec);
    }

    [Benchmark(Baseline = true)]
    public int ParseThenCompile()
    {
        using GraphSpec spec = ParseLike(_body, ahead: null);
        CompileResult compiled = new GraphCompiler().Compile(spec, Mode);
        return compiled.Tape!.NodeCount;
    }

    [Benchmark]
    public int ParseWithCompileAhead()
    {
        using GraphSpec spec = new(_body.Length / 48, _body.Length / 24, _body.Length / 3);
        using var ahead = new CompileAhead(spec, _body.Length / 64);
        ParseInto(_body, spec, ahead);
        CompileResult compiled = ahead.Finish(Mode);
        return compiled.Tape!.NodeCount;
    }

    /// <summary>The body's graph, as the service's reader sizes and fills it.</summary>
    internal static GraphSpec ParseLike(byte[] body, CompileAhead? ahead)
    {
        var spec = new GraphSpec(body.Length / 48, body.Length / 24, body.Length / 3);
        ParseInto(body, spec, ahead);
        return spec;
    }

    /// <summary>The nodes of a compact evaluate body (no escapes) into <paramref name="spec"/>, telling <paramref name="ahead"/> after each.</summary>
    internal static void ParseInto(byte[] body, GraphSpec spec, CompileAhead? ahead)
    {
        var reader = new Utf8JsonReader(body);
        reader.Read(); // {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("output"u8))
            {
                reader.Read();
                spec.Output = reader.GetString();
                continue;
            }
            reader.Read(); // [
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                ReadOnlySpan<byte> id = default, op = default;
                double? value = null;
                bool hasInputs = false;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("id"u8)) { reader.Read(); id = reader.ValueSpan; }
                    else if (reader.ValueTextEquals("op"u8)) { reader.Read(); op = reader.ValueSpan; }
                    else if (reader.ValueTextEquals("value"u8)) { reader.Read(); value = reader.GetDouble(); }
                    else
                    {
                        hasInputs = true;
                        reader.Read();
                        while (reader.Read() && reader.TokenType == JsonTokenType.String) spec.AddInput(reader.ValueSpan);
                    }
                }
                spec.BeginNode(id, op, value);
                if (hasInputs) spec.MarkInputs();
                spec.EndNode();
                ahead?.Added();
            }
        }
    }
}
