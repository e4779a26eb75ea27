using CsCheck;
using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Insight;
using static GradApi.Engine.Tests.Insight.InsightTestHelpers;

namespace GradApi.Engine.Tests.Insight;

public class ExplainTraceTests
{
    private static ExplainTrace Explain(GraphSpec spec, GraphEngine engine) => ExplainTrace.Run(engine, Compile(spec));

    private static GraphSpec AddMul()
    {
        var spec = new GraphSpec();
        spec.AddNode("x", "input", -2, null);
        spec.AddNode("y", "input", 5, null);
        spec.AddNode("z", "input", -4, null);
        spec.AddNode("q", "add", null, ["x", "y"]);
        spec.AddNode("f", "mul", null, ["q", "z"]);
        return spec;
    }

    private static (string, string, double, double, double)[] Rows(ExplainTrace trace) =>
        trace.Steps.Select(s => (s.Node, s.Input, s.Local, s.Upstream, s.Product)).ToArray();

    [Fact]
    public void Explain_AddMulExample_ListsTheFourStepsOfTheContractInOrder()
    {
        using var engine = new GraphEngine();

        ExplainTrace trace = Explain(AddMul(), engine);

        Assert.True(trace.Evaluation.Succeeded);
        Assert.Equal(
            [("f", "q", -4.0, 1.0, -4.0), ("f", "z", 3.0, 1.0, 3.0), ("q", "x", 1.0, -4.0, -4.0), ("q", "y", 1.0, -4.0, -4.0)],
            Rows(trace));
        Assert.Equal([(4, 3, 0), (4, 2, 1), (3, 0, 0), (3, 1, 1)], trace.Steps.Select(s => (s.NodeIndex, s.InputIndex, s.Slot)));
    }

    [Fact]
    public void Explain_AddMulExpression_ListsTheSameStepsUnderGeneratedIds()
    {
        GraphSpec spec = Parse("(x+y)*z", ("x", -2), ("y", 5), ("z", -4)).Spec!;
        using var engine = new GraphEngine();

        ExplainTrace trace = Explain(spec, engine);

        Assert.Equal(
            [("mul1", "add1", -4.0, 1.0, -4.0), ("mul1", "z", 3.0, 1.0, 3.0), ("add1", "x", 1.0, -4.0, -4.0), ("add1", "y", 1.0, -4.0, -4.0)],
            Rows(trace));
    }

    [Fact]
    public void Explain_SigmoidNeuronFromGates_ShowsTheCs231nLocalGradients()
    {
        // /work/shared/examples/cs231n-sigmoid-gates.json: f = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2))).
        var spec = new GraphSpec();
        spec.AddNode("w0", "input", 2, null);
        spec.AddNode("x0", "input", -1, null);
        spec.AddNode("w1", "input", -3, null);
        spec.AddNode("x1", "input", -2, null);
        spec.AddNode("w2", "input", -3, null);
        spec.AddNode("a", "mul", null, ["w0", "x0"]);
        spec.AddNode("b", "mul", null, ["w1", "x1"]);
        spec.AddNode("c", "add", null, ["a", "b"]);
        spec.AddNode("d", "add", null, ["c", "w2"]);
        spec.AddNode("m1", "const", -1, null);
        spec.AddNode("e", "mul", null, ["d", "m1"]);
        spec.AddNode("g", "exp", null, ["e"]);
        spec.AddNode("one", "const", 1, null);
        spec.AddNode("h", "add", null, ["g", "one"]);
        spec.AddNode("f", "inv", null, ["h"]);
        using var engine = new GraphEngine();

        ExplainTrace trace = Explain(spec, engine);
        BackwardStep Step(string node, string input) => trace.Steps.Single(s => s.Node == node && s.Input == input);

        Assert.Equal(0.7311, trace.Evaluation.Value, 4);
        Assert.Equal(-0.53, Step("f", "h").Local, 2);
        Assert.Equal(0.37, Step("g", "e").Local, 2);
        Assert.Equal(-1, Step("e", "d").Local);
        Assert.Equal(1, Step("e", "m1").Local);
        Assert.Equal(0.1966, Step("e", "d").Product, 4);
        Assert.Equal(0.1966, trace.Evaluation.GradOf(IndexOf(spec, "d")), 4);
        Assert.Equal(["f", "h", "h", "g", "e", "e", "d", "d", "c", "c", "b", "b", "a", "a"], trace.Steps.Select(s => s.Node));
    }

    [Fact]
    public void Explain_InputUsedTwice_HasOneStepPerEdge()
    {
        GraphSpec spec = Parse("x*x", ("x", 3)).Spec!;
        using var engine = new GraphEngine();

        ExplainTrace trace = Explain(spec, engine);

        Assert.Equal([("mul1", "x", 0, 3.0, 3.0), ("mul1", "x", 1, 3.0, 3.0)],
            trace.Steps.Select(s => (s.Node, s.Input, s.Slot, s.Local, s.Product)));
    }

    [Fact]
    public void Explain_NodeWithZeroGrad_IsListedWithUpstreamAndProductZero()
    {
        GraphSpec spec = Parse("relu(x*y)", ("x", 2), ("y", -3)).Spec!;
        using var engine = new GraphEngine();

        ExplainTrace trace = Explain(spec, engine);

        Assert.Equal(
            [("relu1", "mul1", 0.0, 1.0, 0.0), ("mul1", "x", -3.0, 0.0, 0.0), ("mul1", "y", 2.0, 0.0, 0.0)],
            Rows(trace));
    }

    [Fact]
    public void Explain_InfiniteLocalOnABranchThatDoesNotReachTheOutput_HasProductZero()
    {
        var spec = new GraphSpec { Output = "f" };
        spec.AddNode("x", "input", 0, null);
        spec.AddNode("r", "sqrt", null, ["x"]);
        spec.AddNode("f", "exp", null, ["x"]);
        using var engine = new GraphEngine();

        ExplainTrace trace = Explain(spec, engine);

        Assert.True(trace.Evaluation.Succeeded);
        BackwardStep sqrt = trace.Steps.Single(s => s.Node == "r");
        Assert.Equal((double.PositiveInfinity, 0.0, 0.0), (sqrt.Local, sqrt.Upstream, sqrt.Product));
        Assert.Equal(1, trace.Evaluation.GradOf(0));
    }

    [Fact]
    public void Explain_FailedEvaluation_HasNoSteps()
    {
        GraphSpec spec = Parse("log(x - 2)", ("x", 1)).Spec!;
        using var engine = new GraphEngine();

        ExplainTrace trace = Explain(spec, engine);

        Assert.False(trace.Evaluation.Succeeded);
        Assert.Empty(trace.Steps);
    }

    [Fact]
    public void Explain_Seed_IsTheOutputsUpstream()
    {
        GraphSpec spec = AddMul();
        spec.Seed = 2;
        using var engine = new GraphEngine();

        ExplainTrace trace = Explain(spec, engine);

        Assert.Equal([2.0, 2.0, -8.0, -8.0], trace.Steps.Select(s => s.Upstream));
    }

    private static readonly string[] DagOps = ["add", "sub", "mul", "neg", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "max", "min", "exp"];

    /// <summary>A random DAG: a few inputs, then gates that each read earlier nodes; the last is the output.</summary>
    private static readonly Gen<GraphSpec> Dags =
        Gen.Select(Gen.Double[-2, 2].Array[1, 5], Gen.Select(Gen.Int[0, DagOps.Length - 1], Gen.Int[0, 1000].Array[3]).Array[1, 40], Gen.Double[-3, 3])
            .Select((leaves, gates, seed) =>
            {
                var spec = new GraphSpec { Seed = seed };
                for (int i = 0; i < leaves.Length; i++) spec.AddNode($"x{i}", "input", leaves[i], null);
                int count = leaves.Length;
                foreach ((int op, int[] picks) in gates)
                {
                    int arity = DagOps[op] switch { "add" or "mul" or "max" or "min" => 2 + picks[2] % 2, "sub" => 2, _ => 1 };
                    // Reading mostly recent nodes keeps the graph deep; any earlier node may be read.
                    string[] inputs = picks.Take(arity).Select(p => spec.Id(Math.Max(0, count - 1 - p % Math.Min(count, 6)))).ToArray();
                    spec.AddNode($"n{count}", DagOps[op], null, inputs);
                    count++;
                }
                spec.Output = spec.Id(count - 1);
                return spec;
            });

    [Fact]
    public void Explain_RandomDag_ProductsIntoEachNodeSumToItsGrad()
    {
        Dags.Sample(spec =>
        {
            Tape tape = Compile(spec);
            using var engine = new GraphEngine();

            ExplainTrace trace = ExplainTrace.Run(engine, tape);

            if (!trace.Evaluation.Succeeded) return; // products of products may overflow
            Assert.Equal(tape.EdgeCount, trace.Steps.Count);
            var sums = new double[spec.NodeCount];
            sums[IndexOf(spec, spec.Output!)] = spec.Seed;
            foreach (BackwardStep step in trace.Steps)
            {
                Assert.Equal(step.Upstream, trace.Evaluation.GradOf(step.NodeIndex));
                sums[step.InputIndex] += step.Product;
            }
            for (int node = 0; node < spec.NodeCount; node++)
                Assert.Equal(trace.Evaluation.GradOf(node), sums[node]);

            // In the order backward ran: nodes from the last tape position down, inputs in order.
            int[] positions = trace.Steps.Select(s => tape.PositionOf(s.NodeIndex)).ToArray();
            Assert.True(positions.Zip(positions.Skip(1)).All(p => p.First >= p.Second));
            Assert.All(trace.Steps, s => Assert.Equal(spec.Input(s.NodeIndex, s.Slot), s.Input));
        }, iter: 1_000);
    }
}
