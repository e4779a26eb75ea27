using GradApi.Engine.Batching;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Batching;

/// <summary>
/// Kinks and ties lane by lane: each sample takes the scalar engine's one-sided choice (relu and abs
/// at 0 send 0, a max or min tie goes to the first winner), whatever its neighbours do.
/// </summary>
public sealed class KinkLaneTests
{
    // Ties, both signs of zero, and clear winners either way, side by side in one batch.
    private static readonly double[] A = [1, 2, 3, 0, -0.0, 0, -5, 7, 7, 1e-300, -1];
    private static readonly double[] B = [1, 3, 2, -0.0, 0, 0, -5, 7, 6, 0, -1];

    [Theory]
    [InlineData("max")]
    [InlineData("min")]
    public void TwoInputs_TiesGoToTheFirstInputInEachSample(string op)
    {
        GraphSpec spec = Graph.New().Input("a", 0).Input("b", 0).Gate("m", op, "a", "b").Gate("f", "sin", "m").Spec;
        var lanes = new Dictionary<int, double[]> { [0] = A, [1] = B };

        Lanes.AgreeWithScalar(spec, lanes, A.Length, EvaluationMode.Training);
        Lanes.AgreeWithScalar(spec, lanes, A.Length, EvaluationMode.Inference);
    }

    [Theory]
    [InlineData("max")]
    [InlineData("min")]
    public void ThreeInputs_TiesGoToTheFirstWinnerInEachSample(string op)
    {
        GraphSpec spec = Graph.New().Input("a", 0).Input("b", 0).Input("c", 0).Gate("m", op, "a", "b", "c").Gate("f", "sin", "m").Spec;
        double[] c = [1, 3, 3, 0, -0.0, -0.0, -6, 8, 7, 0, -1];
        var lanes = new Dictionary<int, double[]> { [0] = A, [1] = B, [2] = c };

        Lanes.AgreeWithScalar(spec, lanes, A.Length, EvaluationMode.Training);
        Lanes.AgreeWithScalar(spec, lanes, A.Length, EvaluationMode.Inference);
    }

    [Theory]
    [InlineData("relu")]
    [InlineData("abs")]
    public void ReluAndAbs_AtZeroAndAroundIt_TakeTheScalarSlopeInEachSample(string op)
    {
        GraphSpec spec = Graph.New().Input("a", 0).Gate("k", op, "a").Gate("f", "sin", "k").Spec;
        var lanes = new Dictionary<int, double[]> { [0] = [0, -0.0, 1e-320, -1e-320, 2, -2, 0, 0.5, -0.5, 0] };

        Lanes.AgreeWithScalar(spec, lanes, 10, EvaluationMode.Training);
        Lanes.AgreeWithScalar(spec, lanes, 10, EvaluationMode.Inference);
    }

    [Fact]
    public void Pow_ANonPositiveBase_TakesTheConventionalZeroExponentGradInEachSample()
    {
        GraphSpec spec = Graph.New().Input("a", 0).Input("b", 2).Gate("p", "pow", "a", "b").Gate("f", "sin", "p").Spec;
        var lanes = new Dictionary<int, double[]>
        {
            [0] = [0, -2, 2, -0.0, 0.5, -1, 3, 0],
            [1] = [2, 3, 0.5, 2, 0, 2, -1, 0],
        };

        Lanes.AgreeWithScalar(spec, lanes, 8, EvaluationMode.Training);
    }

    [Fact]
    public void AddOfNegativeZeros_IsPositiveZeroAsTheScalarSumStartingAt0()
    {
        GraphSpec spec = Graph.New().Input("a", 0).Input("b", 0).Input("c", 0)
            .Gate("s", "add", "a", "b").Gate("t", "add", "a", "b", "c").Gate("f", "div", "s", "t").Spec;
        var lanes = new Dictionary<int, double[]> { [0] = [-0.0, -0.0, 1], [1] = [-0.0, 0, 1], [2] = [-0.0, -0.0, 1] };

        // 0/0 in the first two samples: only the sign of the zeros in the error's inputs tells.
        Tape tape = Run.CompileOrFail(spec, EvaluationMode.Training);
        using var engine = new BatchEngine();
        var result = engine.Evaluate(tape, Lanes.Inputs(3, lanes), EvaluationMode.Training, [], BatchReduce.None);
        NumericError scalar = Lanes.Scalar(spec, lanes, 0, EvaluationMode.Training).Error!;
        Assert.Equal(0, result.SampleIndex);
        Assert.Equal(scalar.Message, result.Error!.Message);
        Assert.Equal(BitConverter.DoubleToInt64Bits(scalar.InputValues[0]), BitConverter.DoubleToInt64Bits(result.Error.InputValues[0]));
        Assert.Equal(BitConverter.DoubleToInt64Bits(scalar.InputValues[1]), BitConverter.DoubleToInt64Bits(result.Error.InputValues[1]));
    }
}
