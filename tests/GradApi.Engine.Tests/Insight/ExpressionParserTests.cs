using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Expressions;
using GradApi.Engine.Graphs;
using GradApi.Engine.Ops;
using static GradApi.Engine.Tests.Insight.InsightTestHelpers;

namespace GradApi.Engine.Tests.Insight;

public class ExpressionParserTests
{
    [Theory]
    [InlineData("x+y*z", "add(x, mul(y, z))")]
    [InlineData("x*y+z", "add(mul(x, y), z)")]
    [InlineData("x-y-z", "sub(sub(x, y), z)")]
    [InlineData("x/y/z", "div(div(x, y), z)")]
    [InlineData("x-y+z", "add(sub(x, y), z)")]
    [InlineData("x/y*z", "mul(div(x, y), z)")]
    [InlineData("x*y^z", "mul(x, pow(y, z))")]
    [InlineData("x^y^z", "pow(x, pow(y, z))")]
    [InlineData("(x^y)^z", "pow(pow(x, y), z)")]
    [InlineData("(x+y)*z", "mul(add(x, y), z)")]
    [InlineData("x*(y-z)", "mul(x, sub(y, z))")]
    [InlineData("((x))", "x")]
    [InlineData("  x  *\ty\n", "mul(x, y)")]
    public void Parse_BinaryOperators_FollowPrecedenceAndAssociativity(string expression, string expected) =>
        Assert.Equal(expected, Structure(ParseUsing(expression)));

    [Theory]
    [InlineData("-x^2", "neg(pow(x, 2))")]
    [InlineData("2^-1", "pow(2, neg(1))")]
    [InlineData("x^-y^z", "pow(x, neg(pow(y, z)))")]
    [InlineData("(-x)^2", "pow(neg(x), 2)")]
    [InlineData("-x*y", "mul(neg(x), y)")]
    [InlineData("x*-y", "mul(x, neg(y))")]
    [InlineData("-x+y", "add(neg(x), y)")]
    [InlineData("x - -y", "sub(x, neg(y))")]
    [InlineData("--x", "neg(neg(x))")]
    [InlineData("-(x+y)", "neg(add(x, y))")]
    [InlineData("-exp(x)^2", "neg(pow(exp(x), 2))")]
    public void Parse_UnaryMinus_BindsLooserThanPowerAndTighterThanProduct(string expression, string expected) =>
        Assert.Equal(expected, Structure(ParseUsing(expression)));

    [Theory]
    [InlineData("12*x", "mul(12, x)")]
    [InlineData("1.5*x", "mul(1.5, x)")]
    [InlineData(".5*x", "mul(0.5, x)")]
    [InlineData("2.*x", "mul(2, x)")]
    [InlineData("1.5e2*x", "mul(150, x)")]
    [InlineData("2E-3*x", "mul(0.002, x)")]
    [InlineData("1e+1*x", "mul(10, x)")]
    public void Parse_Numbers_AcceptDecimalAndExponentForms(string expression, string expected) =>
        Assert.Equal(expected, Structure(ParseUsing(expression)));

    [Fact]
    public void Parse_CallArguments_AreWholeExpressions() =>
        Assert.Equal("max(x, add(y, z), 2)", Structure(ParseUsing("max(x, y+z, 2)")));

    public static TheoryData<string> Gates() => [.. OpTable.All.Where(op => !op.IsLeaf).Select(op => op.Name)];

    [Theory]
    [MemberData(nameof(Gates))]
    public void Parse_EveryGateOfTheOpTable_IsCallableByName(string name)
    {
        Op op = OpTable.TryGet(name, out Op? found) ? found : throw new InvalidOperationException();
        int[] arities = op.MaxArity == int.MaxValue ? [op.MinArity, op.MinArity + 1] : [op.MinArity];
        foreach (int arity in arities)
        {
            string[] args = ["a", "b", "c"];
            string expression = $"{name}({string.Join(", ", args[..arity])})";
            GraphSpec spec = ParseUsing(expression, "a,b,c");

            Assert.Equal($"{name}({string.Join(", ", args[..arity])})", Structure(spec));
            int call = IndexOf(spec, spec.Output!);
            Assert.Equal(name + "1", spec.Id(call));
            Assert.Equal(expression, spec.Label(call));
            using var engine = new GraphEngine();
            EvaluationResult result = engine.Evaluate(Compile(spec), EvaluationMode.Training);
            Assert.Equal(op.Forward(Enumerable.Repeat(1.5, arity).ToArray()), result.Value);
        }
    }

    [Fact]
    public void Parse_AddMulExample_GivesReadableIdsLabelsAndNodesInTheOrderMade()
    {
        ExpressionParseResult result = Parse("(x+y)*z", ("x", -2), ("y", 5), ("z", -4));

        Assert.True(result.Succeeded);
        GraphSpec spec = result.Spec;
        Assert.Equal(["x", "y", "add1", "z", "mul1"], Enumerable.Range(0, spec.NodeCount).Select(spec.Id));
        Assert.Equal(["input", "input", "add", "input", "mul"], Enumerable.Range(0, spec.NodeCount).Select(spec.Op));
        Assert.Equal([null, null, "x+y", null, "(x+y)*z"], Enumerable.Range(0, spec.NodeCount).Select(spec.Label));
        Assert.Equal("mul1", spec.Output);
        Assert.Equal(-2, spec.Value(0));

        using var engine = new GraphEngine();
        EvaluationResult evaluation = engine.Evaluate(Compile(spec), EvaluationMode.Training);
        Assert.Equal(-12, evaluation.Value);
        Assert.Equal([-4, -4, -4, 3, 1], Enumerable.Range(0, spec.NodeCount).Select(evaluation.GradOf));
    }

    [Fact]
    public void Parse_InputNamedTwice_IsOneNodeWhoseGradSumsBothBranches()
    {
        ExpressionParseResult result = Parse("x*x", ("x", 3));

        Assert.True(result.Succeeded);
        Assert.Equal(2, result.Spec.NodeCount);
        Assert.Equal(["x", "x"], [result.Spec.Input(1, 0), result.Spec.Input(1, 1)]);
        using var engine = new GraphEngine();
        EvaluationResult evaluation = engine.Evaluate(Compile(result.Spec), EvaluationMode.Training);
        Assert.Equal(6, evaluation.GradOf(0));
    }

    [Fact]
    public void Parse_Literals_AreConstNodesNumberedInTheOrderMade()
    {
        GraphSpec spec = ParseUsing("2*x + 3", "x");

        Assert.Equal(["const1", "x", "mul1", "const2", "add1"], Enumerable.Range(0, spec.NodeCount).Select(spec.Id));
        Assert.Equal(["2", null, "2*x", "3", "2*x + 3"], Enumerable.Range(0, spec.NodeCount).Select(spec.Label));
        Assert.True(spec.HasValue(0));
        Assert.False(spec.HasInputs(0));
    }

    [Fact]
    public void Parse_GeneratedIdThatAnInputBears_IsSkipped()
    {
        ExpressionParseResult result = Parse("add1 + mul1*add2", ("add1", 1), ("mul1", 2), ("add2", 3));

        Assert.True(result.Succeeded);
        GraphSpec spec = result.Spec;
        Assert.Equal(["add1", "mul1", "add2", "mul2", "add3"], Enumerable.Range(0, spec.NodeCount).Select(spec.Id));
        Assert.True(Compile(spec).NodeCount == 5);
    }

    [Fact]
    public void Parse_SigmoidNeuron_MatchesTheCs231nNumbers()
    {
        ExpressionParseResult result = Parse("sigmoid(w0*x0 + w1*x1 + w2)",
            ("w0", 2), ("x0", -1), ("w1", -3), ("x1", -2), ("w2", -3));

        Assert.True(result.Succeeded);
        GraphSpec spec = result.Spec;
        Assert.Equal("sigmoid1", spec.Output);
        Assert.Equal("w0*x0 + w1*x1", spec.Label(IndexOf(spec, "add1")));
        Assert.Equal("w0*x0 + w1*x1 + w2", spec.Label(IndexOf(spec, "add2")));
        using var engine = new GraphEngine();
        EvaluationResult evaluation = engine.Evaluate(Compile(spec), EvaluationMode.Training);
        Assert.Equal(0.7311, evaluation.Value, 4);
        Assert.Equal(-0.1966, evaluation.GradOf(IndexOf(spec, "w0")), 4);
        Assert.Equal(0.3932, evaluation.GradOf(IndexOf(spec, "x0")), 4);
        Assert.Equal(-0.3932, evaluation.GradOf(IndexOf(spec, "w1")), 4);
        Assert.Equal(-0.5898, evaluation.GradOf(IndexOf(spec, "x1")), 4);
        Assert.Equal(0.1966, evaluation.GradOf(IndexOf(spec, "w2")), 4);
    }

    [Fact]
    public void Parse_LongSubexpression_HasItsLabelElidedInTheMiddle()
    {
        string expression = string.Join(" + ", Enumerable.Repeat("x", 100));
        var parser = new ExpressionParser(new ExpressionLimits { MaxLabelLength = 21 });

        ExpressionParseResult result = parser.Parse(expression, new Dictionary<string, double> { ["x"] = 1 });

        Assert.True(result.Succeeded);
        string label = result.Spec.Label(IndexOf(result.Spec, result.Spec.Output!))!;
        Assert.Equal("x + x + x … x + x + x", label);
        Assert.Equal(21, label.Length);
    }

    [Fact]
    public void Parse_SingleInputOrConst_IsAOneNodeGraph()
    {
        Assert.Equal("x", Structure(ParseUsing("x", "x")));
        ExpressionParseResult constant = Parse("4.5");
        Assert.True(constant.Succeeded);
        Assert.Equal("const1", constant.Spec.Output);
    }

    [Fact]
    public void Parse_FunctionNameWithoutParentheses_IsAnInput() =>
        Assert.Equal("mul(exp, 2)", Structure(ParseUsing("exp*2", "exp")));

    [Fact]
    public void Parse_LongFlatSum_IsNotNestingAndEvaluates()
    {
        string expression = string.Join("+", Enumerable.Repeat("x", 20_000));

        ExpressionParseResult result = Parse(expression, ("x", 1));

        Assert.True(result.Succeeded);
        using var engine = new GraphEngine();
        EvaluationResult evaluation = engine.Evaluate(Compile(result.Spec), EvaluationMode.Training);
        Assert.Equal(20_000, evaluation.Value);
        Assert.Equal(20_000, evaluation.GradOf(0));
    }
}
