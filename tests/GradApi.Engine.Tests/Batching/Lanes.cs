using GradApi.Engine.Batching;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Batching;

/// <summary>
/// The referee of the batch engine: each sample evaluated alone by the scalar engine, on a copy
/// of the graph whose input leaves hold that sample's values. And comparison to the last bit.
/// </summary>
internal static class Lanes
{
    /// <summary>Random values in [-2, 2] for each of <paramref name="inputs"/>, one per sample.</summary>
    public static Dictionary<int, double[]> Random(IEnumerable<int> inputs, int size, int seed)
    {
        var rng = new Random(seed);
        return inputs.ToDictionary(node => node, _ => Enumerable.Range(0, size).Select(_ => rng.NextDouble() * 4 - 2).ToArray());
    }

    public static BatchInputs Inputs(int size, Dictionary<int, double[]> lanes)
    {
        var inputs = new BatchInputs(size);
        foreach (var (node, values) in lanes) inputs.Set(node, values);
        return inputs;
    }

    /// <summary>The scalar engine's run of sample <paramref name="sample"/>.</summary>
    public static Run Scalar(GraphSpec spec, Dictionary<int, double[]> lanes, int sample, EvaluationMode mode) =>
        Run.Of(WithInputs(spec, lanes.ToDictionary(kv => kv.Key, kv => kv.Value[sample])), mode);

    /// <summary>A copy of <paramref name="spec"/> whose nodes in <paramref name="values"/> hold those values.</summary>
    public static GraphSpec WithInputs(GraphSpec spec, IReadOnlyDictionary<int, double> values)
    {
        var copy = new GraphSpec { Output = spec.Output, Seed = spec.Seed };
        for (int i = 0; i < spec.NodeCount; i++)
        {
            string[]? inputs = spec.HasInputs(i) ? Enumerable.Range(0, spec.InputCountOf(i)).Select(k => spec.Input(i, k)).ToArray() : null;
            double? value = values.TryGetValue(i, out double v) ? v : spec.HasValue(i) ? spec.Value(i) : null;
            copy.AddNode(spec.Id(i), spec.Op(i), value, inputs);
        }
        return copy;
    }

    public static int[] AllNodes(GraphSpec spec) => Enumerable.Range(0, spec.NodeCount).ToArray();

    /// <summary>Fails unless the two are the same double to the last bit (so 0 and -0 differ).</summary>
    public static void SameBits(double expected, double actual, string what)
    {
        if (BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual)) return;
        Assert.Fail($"{what}: the scalar engine gives {expected:R}, the batch {actual:R}.");
    }

    /// <summary>
    /// Evaluates all of <paramref name="lanes"/> as one batch (training, every node's grad asked for)
    /// and checks every sample's output value and every node's grad against the scalar engine.
    /// </summary>
    public static void AgreeWithScalar(GraphSpec spec, Dictionary<int, double[]> lanes, int size, EvaluationMode mode,
        IEnumerable<int>? samples = null, Func<BatchEngine>? newEngine = null)
    {
        Tape tape = Run.CompileOrFail(spec, mode);
        using BatchEngine engine = newEngine?.Invoke() ?? new BatchEngine();
        int[] nodes = AllNodes(spec);
        BatchResult batch = engine.Evaluate(tape, Inputs(size, lanes), mode, nodes, BatchReduce.None);
        Assert.True(batch.Succeeded, batch.Error?.Message);
        foreach (int sample in samples ?? Enumerable.Range(0, size))
        {
            Run scalar = Scalar(spec, lanes, sample, mode);
            Assert.Null(scalar.Error);
            SameBits(scalar.Value, batch.Values[sample], $"sample {sample}: the output's value");
            if (mode == EvaluationMode.Inference) continue;
            foreach (int node in nodes)
                SameBits(scalar.Grad(spec.Id(node)), batch.Grad(node)[sample], $"sample {sample}: the grad of '{spec.Id(node)}'");
        }
    }
}
