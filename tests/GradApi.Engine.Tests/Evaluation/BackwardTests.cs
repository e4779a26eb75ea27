using GradApi.Engine.Tests.Support;

namespace GradApi.Engine.Tests.Evaluation;

/// <summary>How gradients flow: summed over branches, scaled by the seed, zero where nothing flows.</summary>
public sealed class BackwardTests
{
    [Fact]
    public void Backward_NodeFeedingTwoBranches_SumsBothBranches()
    {
        // f = (x*y) * (x+z) at x=2, y=3, z=4: df/dx = y*(x+z) + x*y = 18 + 6 = 24.
        var run = Graph.New()
            .Input("x", 2).Input("y", 3).Input("z", 4)
            .Gate("u", "mul", "x", "y")
            .Gate("v", "add", "x", "z")
            .Gate("f", "mul", "u", "v")
            .Train();

        Assert.Equal(36, run.Value);
        Assert.Equal(24, run.Grad("x"));
        Assert.Equal(12, run.Grad("y")); // x*(x+z)
        Assert.Equal(6, run.Grad("z"));  // x*y
        Assert.Equal(6, run.Grad("u"));  // v
        Assert.Equal(6, run.Grad("v"));  // u
    }

    [Fact]
    public void Backward_NodeUsedTwiceByOneGate_AccumulatesGradient()
    {
        // mul(a, a) = a^2: grad 2a.
        var run = Graph.New().Input("a", 3).Gate("f", "mul", "a", "a").Train();

        Assert.Equal(9, run.Value);
        Assert.Equal(6, run.Grad("a"));
    }

    [Fact]
    public void Backward_NodeNamedThreeTimes_AccumulatesEveryUse()
    {
        // add(a, a, a) = 3a and mul(a, a, a) = a^3 (grad 3a^2 = 12 at a = 2); f = their sum.
        var run = Graph.New()
            .Input("a", 2)
            .Gate("s", "add", "a", "a", "a")
            .Gate("p", "mul", "a", "a", "a")
            .Gate("f", "add", "s", "p")
            .Train();

        Assert.Equal(14, run.Value);
        Assert.Equal(15, run.Grad("a"));
    }

    [Fact]
    public void Backward_Diamond_SumsGradientsAcrossBothPaths()
    {
        // x -> sin and cos -> mul: d/dx sin(x)cos(x) = cos^2 x - sin^2 x = cos 2x.
        const double x = 0.7;
        var run = Graph.New()
            .Input("x", x)
            .Gate("s", "sin", "x")
            .Gate("c", "cos", "x")
            .Gate("f", "mul", "s", "c")
            .Train();

        Close.Equal(Math.Sin(2 * x) / 2, run.Value, 1e-15);
        Close.Equal(Math.Cos(2 * x), run.Grad("x"), 1e-14);
    }

    [Fact]
    public void Backward_Seed_ScalesEveryGradAndNotTheValue()
    {
        const double seed = -2.5;
        GraphBuilder Neuron() => Graph.New()
            .Input("w", 1.5).Input("x", -0.4).Input("b", 0.3)
            .Gate("p", "mul", "w", "x")
            .Gate("z", "add", "p", "b")
            .Gate("t", "tanh", "z")
            .Gate("f", "mul", "t", "t");

        var plain = Neuron().Train();
        var seeded = Neuron().Seed(seed).Train();

        Assert.Equal(plain.Value, seeded.Value);
        Assert.Equal(seed, seeded.Grad("f"));
        foreach (string id in plain.Grads.Keys)
        {
            Assert.NotEqual(0, plain.Grad(id));
            Close.Equal(seed * plain.Grad(id), seeded.Grad(id), 1e-15, 0, id);
        }
    }

    [Fact]
    public void Backward_ZeroSeed_GivesEveryGradZero()
    {
        var run = Graph.New().Input("x", 2).Gate("f", "exp", "x").Seed(0).Train();

        Assert.Equal(Math.Exp(2), run.Value);
        Assert.All(run.Grads.Values, g => Assert.Equal(0, g));
    }

    [Fact]
    public void Backward_NodeNotReachingTheOutput_HasGradZero()
    {
        // g and y only feed the other sink h; k reads the output f, so f does not depend on it.
        var run = Graph.New()
            .Input("x", 2).Input("y", 5)
            .Gate("f", "sin", "x")
            .Gate("g", "mul", "x", "y")
            .Gate("h", "add", "g", "y")
            .Gate("k", "exp", "f")
            .Output("f")
            .Train();

        Assert.Equal(Math.Sin(2), run.Value);
        Close.Equal(Math.Cos(2), run.Grad("x"), 1e-15);
        Assert.Equal(0, run.Grad("y"));
        Assert.Equal(0, run.Grad("g"));
        Assert.Equal(0, run.Grad("h"));
        Assert.Equal(0, run.Grad("k"));
        Assert.Equal(10, run.ValueOf("g")); // unreached nodes still get their value
        Assert.Equal(15, run.ValueOf("h"));
    }

    [Theory]
    [InlineData("p", 6, 3, 2)]  // p = x*y: grads y, x
    [InlineData("s", 5, 1, 1)]  // s = x+y
    [InlineData("d", -1, 1, -1)] // d = x-y
    public void Backward_OutputNamedAmongSeveralSinks_DifferentiatesThatOne(string output, double value, double gradX, double gradY)
    {
        var run = Graph.New()
            .Input("x", 2).Input("y", 3)
            .Gate("p", "mul", "x", "y")
            .Gate("s", "add", "x", "y")
            .Gate("d", "sub", "x", "y")
            .Output(output)
            .Train();

        Assert.Equal(value, run.Value);
        Assert.Equal(gradX, run.Grad("x"));
        Assert.Equal(gradY, run.Grad("y"));
        foreach (string sink in new[] { "p", "s", "d" })
            Assert.Equal(sink == output ? 1 : 0, run.Grad(sink));
    }

    [Fact]
    public void Backward_OutputAnInnerNode_IgnoresItsReaders()
    {
        // (x+y)*z with output q = x+y: z and f are downstream or beside it.
        var run = Graph.New()
            .Input("x", -2).Input("y", 5).Input("z", -4)
            .Gate("q", "add", "x", "y")
            .Gate("f", "mul", "q", "z")
            .Output("q")
            .Train();

        Assert.Equal(3, run.Value);
        Assert.Equal((1.0, 1.0, 0.0, 1.0, 0.0), (run.Grad("x"), run.Grad("y"), run.Grad("z"), run.Grad("q"), run.Grad("f")));
        Assert.Equal(-12, run.ValueOf("f"));
    }

    [Fact]
    public void Backward_OutputALeaf_HasTheSeedAsGrad()
    {
        var run = Graph.New().Input("x", 2).Input("y", 3).Gate("f", "mul", "x", "y").Output("y").Seed(4).Train();

        Assert.Equal(3, run.Value);
        Assert.Equal(4, run.Grad("y"));
        Assert.Equal(0, run.Grad("x"));
        Assert.Equal(0, run.Grad("f"));
    }

    [Fact]
    public void Backward_Consts_GetGradsLikeInputs()
    {
        // f = c * x: the const c gets d f / d c = x, as the example's m1 and one do.
        var run = Graph.New().Input("x", 7).Const("c", 3).Gate("f", "mul", "c", "x").Train();

        Assert.Equal(7, run.Grad("c"));
        Assert.Equal(3, run.Grad("x"));
    }

    [Fact]
    public void Backward_PowAndDiv_FollowTheContractFormulas()
    {
        // f = a^b / c at a=2, b=3, c=4: df/da = b a^(b-1)/c = 3, df/db = a^b ln a / c = 2 ln 2,
        // df/dc = -a^b/c^2 = -0.5.
        var run = Graph.New()
            .Input("a", 2).Input("b", 3).Input("c", 4)
            .Gate("p", "pow", "a", "b")
            .Gate("f", "div", "p", "c")
            .Train();

        Assert.Equal(2, run.Value);
        Close.Equal(3, run.Grad("a"), 1e-15);
        Close.Equal(2 * Math.Log(2), run.Grad("b"), 1e-15);
        Close.Equal(-0.5, run.Grad("c"), 1e-15);
    }

    [Theory]
    [InlineData(-2.0, 3.0, -8.0, 12.0)]
    [InlineData(0.0, 2.0, 0.0, 0.0)]
    public void Backward_PowWithBaseNotAboveZero_GivesTheExponentGradZero(double a, double b, double value, double gradA)
    {
        var run = Graph.New().Input("a", a).Input("b", b).Gate("f", "pow", "a", "b").Train();

        Assert.Null(run.Error);
        Assert.Equal(value, run.Value);
        Assert.Equal(gradA, run.Grad("a"));
        Assert.Equal(0, run.Grad("b"));
    }
}
