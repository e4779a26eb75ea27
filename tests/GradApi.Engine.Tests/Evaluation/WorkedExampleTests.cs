using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Evaluation;

/// <summary>The worked examples of shared/examples, their numbers copied here as literals.</summary>
public sealed class WorkedExampleTests
{
    // The neuron f = sigmoid(w0*x0 + w1*x1 + w2) at w0=2, x0=-1, w1=-3, x1=-2, w2=-3, so d = 1.
    // Analytically s = 1/(1+e^-1) and ds/dd = s(1-s); each weight's grad is its partner input
    // times s(1-s), each input's is its weight times s(1-s), and the bias's is s(1-s).
    private static readonly double S = 1 / (1 + Math.Exp(-1));
    private static readonly double DS = S * (1 - S);

    private static GraphBuilder NeuronInputs() => Graph.New()
        .Input("w0", 2).Input("x0", -1).Input("w1", -3).Input("x1", -2).Input("w2", -3)
        .Gate("a", "mul", "w0", "x0")
        .Gate("b", "mul", "w1", "x1");

    [Fact]
    public void Backward_AddThenMul_GivesTheExactNumbersOfTheExample()
    {
        // shared/examples/cs231n-add-mul.json and .expected.json: f = (x + y) * z.
        var run = Graph.New()
            .Input("x", -2).Input("y", 5).Input("z", -4)
            .Gate("q", "add", "x", "y")
            .Gate("f", "mul", "q", "z")
            .Output("f")
            .Train();

        Assert.Null(run.Error);
        Assert.Equal(-12.0, run.Value);
        Assert.Equal(3.0, run.ValueOf("q"));
        Assert.Equal(-12.0, run.ValueOf("f"));
        Assert.Equal(-4.0, run.Grad("x"));
        Assert.Equal(-4.0, run.Grad("y"));
        Assert.Equal(3.0, run.Grad("z"));
        Assert.Equal(-4.0, run.Grad("q"));
        Assert.Equal(1.0, run.Grad("f"));
    }

    [Fact]
    public void Backward_SigmoidNeuronAsOneGate_MatchesTheAnalyticGrads()
    {
        // shared/examples/cs231n-sigmoid-gate.json: d = a + b + w2, f = sigmoid(d); no output named.
        var run = NeuronInputs()
            .Gate("d", "add", "a", "b", "w2")
            .Gate("f", "sigmoid", "d")
            .Train();

        AssertNeuron(run);
        Close.Equal(DS, run.Grad("d"), 0, 1e-12, "d");
        Close.Equal(DS, run.Grad("a"), 0, 1e-12, "a");
        Close.Equal(DS, run.Grad("b"), 0, 1e-12, "b");
    }

    [Fact]
    public void Backward_SigmoidNeuronFromElementaryGates_MatchesTheAnalyticGrads()
    {
        // shared/examples/cs231n-sigmoid-gates.json: f = 1 / (1 + exp(-1 * (a + b + w2))).
        var run = NeuronInputs()
            .Gate("c", "add", "a", "b")
            .Gate("d", "add", "c", "w2")
            .Const("m1", -1)
            .Gate("e", "mul", "d", "m1")
            .Gate("g", "exp", "e")
            .Const("one", 1)
            .Gate("h", "add", "g", "one")
            .Gate("f", "inv", "h")
            .Train();

        AssertNeuron(run);
        // Through inv: d f / d h = -1/h^2 = -s^2, which h passes unchanged to g and to the const one.
        Close.Equal(-S * S, run.Grad("h"), 0, 1e-12, "h");
        Close.Equal(-S * S, run.Grad("g"), 0, 1e-12, "g");
        Close.Equal(-S * S, run.Grad("one"), 0, 1e-12, "one");
        Close.Equal(-DS, run.Grad("e"), 0, 1e-12, "e");
        Close.Equal(-DS, run.Grad("m1"), 0, 1e-12, "m1"); // d e / d m1 = d = 1
        Close.Equal(DS, run.Grad("d"), 0, 1e-12, "d");
        Close.Equal(DS, run.Grad("c"), 0, 1e-12, "c");
        // The example file's numbers, for the record (cs231n-sigmoid-gates.expected.json).
        Close.Equal(-0.534446645388523, run.Grad("h"), 0, 1e-12, "h");
        Close.Equal(0.36787944117144233, run.ValueOf("g"), 0, 1e-12, "value of g");
    }

    private static void AssertNeuron(Run run)
    {
        Assert.Null(run.Error);
        Close.Equal(S, run.Value, 0, 1e-12, "f");
        Close.Equal(0.7310585786300049, run.Value, 0, 1e-12, "f (example file)");
        Close.Equal(1.0, run.ValueOf("d"), 0, 1e-12, "value of d");
        Close.Equal(-1 * DS, run.Grad("w0"), 0, 1e-12, "w0"); // x0 * s(1-s)
        Close.Equal(2 * DS, run.Grad("x0"), 0, 1e-12, "x0");  // w0 * s(1-s)
        Close.Equal(-2 * DS, run.Grad("w1"), 0, 1e-12, "w1"); // x1 * s(1-s)
        Close.Equal(-3 * DS, run.Grad("x1"), 0, 1e-12, "x1"); // w1 * s(1-s)
        Close.Equal(DS, run.Grad("w2"), 0, 1e-12, "w2");
        // The example files' numbers, for the record.
        Close.Equal(-0.19661193324148185, run.Grad("w0"), 0, 1e-12, "w0 (example file)");
        Close.Equal(0.3932238664829637, run.Grad("x0"), 0, 1e-12, "x0 (example file)");
        Close.Equal(-0.3932238664829637, run.Grad("w1"), 0, 1e-12, "w1 (example file)");
        Close.Equal(-0.5898357997244456, run.Grad("x1"), 0, 1e-12, "x1 (example file)");
        Close.Equal(0.19661193324148185, run.Grad("w2"), 0, 1e-12, "w2 (example file)");
        Assert.Equal(1.0, run.Grad("f"));
    }
}
