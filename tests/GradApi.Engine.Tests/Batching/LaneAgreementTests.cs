using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Batching;

/// <summary>
/// Every lane of a batch is the scalar engine's answer for that sample, to the last bit: the output's
/// value and every node's grad, on random DAGs over every op, in training and inference.
/// </summary>
public sealed class LaneAgreementTests
{
    public static TheoryData<int, int> Seeds => new() { { 1, 13 }, { 2, 37 }, { 3, 8 }, { 4, 1 }, { 5, 64 }, { 6, 29 } };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Training_RandomGraphOverEveryOp_EveryLaneIsTheScalarAnswer(int seed, int size)
    {
        GraphSpec spec = EveryOpGraphs.Generate(60, seed);
        var lanes = Lanes.Random(EveryOpGraphs.Inputs(spec), size, seed);
        Lanes.AgreeWithScalar(spec, lanes, size, EvaluationMode.Training);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Inference_RandomGraphOverEveryOp_EveryLaneIsTheScalarAnswer(int seed, int size)
    {
        GraphSpec spec = EveryOpGraphs.Generate(60, seed);
        var lanes = Lanes.Random(EveryOpGraphs.Inputs(spec), size, seed);
        Lanes.AgreeWithScalar(spec, lanes, size, EvaluationMode.Inference);
    }

    [Theory]
    [InlineData(11, 21)]
    [InlineData(12, 40)]
    [InlineData(13, 3)]
    public void Training_RandomGraphsOfTheEngineTests_EveryLaneIsTheScalarAnswer(int seed, int size)
    {
        // The engine tests' own generator: n-ary gates, nodes read twice, shuffled order, a seed.
        GraphSpec spec = RandomGraphs.Generate(80, seed);
        var lanes = Lanes.Random(EveryOpGraphs.Inputs(spec), size, seed);
        Lanes.AgreeWithScalar(spec, lanes, size, EvaluationMode.Training);
        Lanes.AgreeWithScalar(spec, lanes, size, EvaluationMode.Inference);
    }

    [Fact]
    public void Training_ManyTiles_LanesInEveryTileAreTheScalarAnswer()
    {
        // More samples than one tile holds; the last tile is partly filled. Samples at both ends of tiles.
        GraphSpec spec = EveryOpGraphs.Generate(30, 7);
        const int size = 2 * 1024 + 77;
        var lanes = Lanes.Random(EveryOpGraphs.Inputs(spec), size, 7);
        int[] samples = [0, 1, 7, 8, 1023, 1024, 1025, 2047, 2048, 2100, size - 1];
        Lanes.AgreeWithScalar(spec, lanes, size, EvaluationMode.Training, samples);
        Lanes.AgreeWithScalar(spec, lanes, size, EvaluationMode.Inference, samples);
    }

    [Fact]
    public void Training_InputsNotSet_KeepTheirCompiledValuesInEveryLane()
    {
        GraphSpec spec = EveryOpGraphs.Generate(40, 8);
        int[] inputs = EveryOpGraphs.Inputs(spec);
        var lanes = Lanes.Random(inputs.Take(1), 9, 8); // only the first input varies
        Lanes.AgreeWithScalar(spec, lanes, 9, EvaluationMode.Training);
    }
}
