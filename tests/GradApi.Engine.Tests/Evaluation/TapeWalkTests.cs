using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Ops;
using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Evaluation;

/// <summary>
/// The engine's passes against the plainest walk of the same tape: every gate through the op table's general rules,
/// every grad summed edge by edge in reverse tape order, as the engine promises to sum them. Whatever the engine does
/// to go faster (its switches on one and two inputs, asking for numbers ahead of the node it runs), its values and
/// grads must be these to the bit, at the tape's ends as in its middle: graphs from one leaf to thousands of nodes,
/// shorter and longer than any look-ahead.
/// </summary>
public sealed class TapeWalkTests
{
    public static TheoryData<int, int> Sizes => new()
    {
        { 2, 1 }, { 3, 2 }, { 5, 3 }, { 17, 4 }, { 33, 5 }, { 40, 6 }, { 60, 7 }, { 500, 8 }, { 5_000, 9 }, { 5_000, 10 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Training_RandomGraph_IsBitForBitThePlainTapeWalk(int size, int seed)
    {
        Tape tape = Run.CompileOrFail(RandomGraphs.Generate(size, seed), EvaluationMode.Training);
        var (values, grads) = Walk(tape);
        using var engine = new GraphEngine();

        var evaluation = engine.Evaluate(tape, EvaluationMode.Training);

        Assert.Null(evaluation.Error);
        for (int node = 0; node < size; node++)
        {
            int p = tape.PositionOf(node);
            Assert.Equal(BitConverter.DoubleToInt64Bits(values[p]), BitConverter.DoubleToInt64Bits(evaluation.ValueOf(node)));
            Assert.Equal(BitConverter.DoubleToInt64Bits(grads[p]), BitConverter.DoubleToInt64Bits(evaluation.GradOf(node)));
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Inference_RandomGraph_IsBitForBitThePlainTapeWalksOutput(int size, int seed)
    {
        GraphSpec spec = RandomGraphs.Generate(size, seed);
        var (values, _) = Walk(Run.CompileOrFail(spec, EvaluationMode.Training));
        Tape tape = Run.CompileOrFail(spec, EvaluationMode.Inference);
        using var engine = new GraphEngine();

        var evaluation = engine.Evaluate(tape, EvaluationMode.Inference);

        Assert.Null(evaluation.Error);
        Assert.Equal(BitConverter.DoubleToInt64Bits(values[tape.Output]), BitConverter.DoubleToInt64Bits(evaluation.Value));
    }

    [Fact]
    public void Training_OneLeafAndNoEdge_GivesItsValueAndTheSeed()
    {
        var spec = new GraphSpec();
        spec.AddNode("x", "input", 1.5, null);
        spec.Output = "x";
        spec.Seed = -2;
        Tape tape = Run.CompileOrFail(spec, EvaluationMode.Training);
        using var engine = new GraphEngine();

        var evaluation = engine.Evaluate(tape, EvaluationMode.Training);

        Assert.Equal(0, tape.EdgeCount);
        Assert.Equal(1.5, evaluation.Value);
        Assert.Equal(-2, evaluation.GradOf(0));
    }

    [Fact]
    public void Training_OneEngineOverTapesLargeThenSmall_IsThePlainTapeWalkEachTime()
    {
        // The engine's buffers outgrow the second tape: nothing past its own edges may be read.
        using var engine = new GraphEngine();
        foreach (var (size, seed) in new[] { (5_000, 11), (3, 12), (40, 13) })
        {
            Tape tape = Run.CompileOrFail(RandomGraphs.Generate(size, seed), EvaluationMode.Training);
            var (_, grads) = Walk(tape);

            var evaluation = engine.Evaluate(tape, EvaluationMode.Training);

            for (int node = 0; node < size; node++)
                Assert.Equal(BitConverter.DoubleToInt64Bits(grads[tape.PositionOf(node)]), BitConverter.DoubleToInt64Bits(evaluation.GradOf(node)));
        }
    }

    /// <summary>Every value and grad by position: the op table's rules on gathered inputs, then the chain rule edge by edge.</summary>
    private static (double[] Values, double[] Grads) Walk(Tape tape)
    {
        int n = tape.NodeCount;
        var values = new double[n];
        var locals = new double[n][];
        for (int p = 0; p < n; p++)
        {
            Op op = OpTable.Get(tape.OpAt(p));
            if (op.IsLeaf)
            {
                values[p] = tape.LeafValues[p];
                locals[p] = [];
                continue;
            }
            double[] x = tape.InputsAt(p).ToArray().Select(input => values[input]).ToArray();
            values[p] = op.Forward(x);
            locals[p] = new double[x.Length];
            op.LocalGradient(x, values[p], locals[p]);
        }

        var grads = new double[n];
        grads[tape.Output] = tape.Seed;
        for (int p = n - 1; p >= 0; p--)
        {
            if (grads[p] == 0) continue;
            ReadOnlySpan<int> inputs = tape.InputsAt(p);
            for (int k = 0; k < inputs.Length; k++) grads[inputs[k]] += grads[p] * locals[p][k];
        }
        return (values, grads);
    }
}
