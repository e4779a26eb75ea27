using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Compilation;

public sealed class OrderingTests
{
    [Fact]
    public void Compile_NodesNamingLaterNodes_CompilesAndEvaluates()
    {
        // cs231n-add-mul.json with its nodes reversed: every gate names nodes that come after it.
        var run = Graph.New()
            .Gate("f", "mul", "q", "z")
            .Gate("q", "add", "x", "y")
            .Input("z", -4)
            .Input("y", 5)
            .Input("x", -2)
            .Train();

        Assert.Equal(-12, run.Value);
        Assert.Equal((-4.0, -4.0, 3.0, -4.0), (run.Grad("x"), run.Grad("y"), run.Grad("z"), run.Grad("q")));
    }

    [Theory]
    [InlineData(60, 1)]
    [InlineData(60, 2)]
    [InlineData(40, 3)]
    [InlineData(12, 4)]
    public void Tape_EveryInputIsEvaluatedBeforeItsReader(int size, int seed)
    {
        var spec = RandomGraphs.Generate(size, seed);
        Tape tape = Run.CompileOrFail(spec, EvaluationMode.Training);

        Assert.Equal(spec.NodeCount, tape.NodeCount);
        Assert.Equal(spec.InputCount, tape.EdgeCount);
        var seen = new HashSet<int>();
        for (int p = 0; p < tape.NodeCount; p++)
        {
            int node = tape.NodeIndexAt(p);
            Assert.Equal(p, tape.PositionOf(node));
            Assert.True(seen.Add(node), $"Node {node} appears twice on the tape.");
            Assert.Equal(spec.Id(node), tape.IdAt(p));
            ReadOnlySpan<int> inputs = tape.InputsAt(p);
            Assert.Equal(spec.InputCountOf(node), inputs.Length);
            for (int k = 0; k < inputs.Length; k++)
            {
                Assert.True(inputs[k] < p, $"{tape.IdAt(p)} at {p} reads position {inputs[k]}, which has not run yet.");
                Assert.Equal(spec.Input(node, k), tape.IdAt(inputs[k]));
            }
        }
    }
}
