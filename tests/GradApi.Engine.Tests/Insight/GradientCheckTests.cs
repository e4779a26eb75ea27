using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Insight;
using GradApi.Engine.Ops;
using static GradApi.Engine.Tests.Insight.InsightTestHelpers;

namespace GradApi.Engine.Tests.Insight;

public class GradientCheckTests
{
    private static GradientCheckResult Check(string expression, (string, double)[] inputs, GradientCheckOptions? options = null,
        double seed = 1, EvaluationMode compileMode = EvaluationMode.Training)
    {
        GraphSpec spec = Parse(expression, inputs).Spec!;
        spec.Seed = seed;
        using var engine = new GraphEngine();
        EvaluationResult training = engine.Evaluate(Compile(spec, compileMode), EvaluationMode.Training);
        Assert.True(training.Succeeded);
        return GradientCheck.Run(training, options);
    }

    public static TheoryData<string> Gates() => [.. OpTable.All.Where(op => !op.IsLeaf).Select(op => op.Name)];

    [Theory]
    [MemberData(nameof(Gates))]
    public void Check_EveryGateAwayFromItsKinks_Passes(string name)
    {
        Op op = OpTable.TryGet(name, out Op? found) ? found : throw new InvalidOperationException();
        (string, double)[] points = [("a", 0.7), ("b", 1.3), ("c", 0.4)];
        int[] arities = op.MaxArity == int.MaxValue ? [op.MinArity, op.MinArity + 1] : [op.MinArity];
        foreach (int arity in arities)
        {
            // Composed with sin so that every grad is away from 0 and 1.
            string expression = $"sin({name}({string.Join(", ", points[..arity].Select(p => p.Item1))}))";

            GradientCheckResult result = Check(expression, points[..arity]);

            Assert.True(result.Passed, string.Join("; ", result.Leaves));
            Assert.Equal(GradientCheckMethod.Leaves, result.Method);
            Assert.Equal(points[..arity].Select(p => p.Item1), result.Leaves.Select(l => l.Id));
            Assert.Empty(result.Kinks);
        }
    }

    // log, sqrt and pow (in its exponent) are defined for positive inputs only.
    public static TheoryData<string> GatesDefinedForNegatives() =>
        [.. OpTable.All.Where(op => !op.IsLeaf && op.Name is not ("log" or "sqrt" or "pow")).Select(op => op.Name)];

    [Theory]
    [MemberData(nameof(GatesDefinedForNegatives))]
    public void Check_EveryGateAtNegativeInputs_Passes(string name)
    {
        Op op = OpTable.TryGet(name, out Op? found) ? found : throw new InvalidOperationException();
        (string, double)[] points = [("a", -0.8), ("b", -1.9)];
        (string, double)[] used = points[..op.MinArity];

        GradientCheckResult result = Check($"{name}({string.Join(", ", used.Select(p => p.Item1))})", used);

        Assert.True(result.Passed, string.Join("; ", result.Leaves));
    }

    [Fact]
    public void Check_AddMulExample_MatchesTheContract()
    {
        GradientCheckResult result = Check("(x+y)*z", [("x", -2), ("y", 5), ("z", -4)]);

        Assert.True(result.Passed);
        Assert.Equal((1e-6, 1e-5, 1e-3), (result.Eps, result.Atol, result.Rtol));
        LeafCheck x = result.Leaves[0];
        Assert.Equal(("x", 0, -4.0), (x.Id, x.NodeIndex, x.Analytic));
        Assert.Equal(-4, x.Numeric!.Value, 6);
        Assert.Equal(Math.Abs(x.Analytic - x.Numeric.Value), x.AbsError);
        Assert.Null(result.Direction);
    }

    [Fact]
    public void Check_ReluAtZero_ReportsTheKinkAndTheMismatchThere()
    {
        GradientCheckResult result = Check("relu(x) + y", [("x", 0), ("y", 1)]);

        Assert.Equal([new Kink("relu1", 1, "relu")], result.Kinks);
        Assert.False(result.Passed);
        Assert.Equal(0, result.Leaves[0].Analytic);
        Assert.Equal(0.5, result.Leaves[0].Numeric!.Value, 6);
        Assert.True(result.Leaves[1].Passed);
    }

    [Fact]
    public void Check_MaxTie_ReportsTheKink()
    {
        GradientCheckResult result = Check("max(x, y, z)", [("x", 2), ("y", 2), ("z", 1)]);

        Assert.Equal([new Kink("max1", 3, "max")], result.Kinks);
        Assert.Equal([1.0, 0.0, 0.0], result.Leaves.Select(l => l.Analytic));
        Assert.False(result.Passed);
    }

    [Fact]
    public void Check_AbsAtZeroAndMinTie_AreKinksEvenWhereTheGradsAgree()
    {
        GradientCheckResult result = Check("abs(x) + min(y, z) + min(z, y)", [("x", 0), ("y", 1), ("z", 1)]);

        Assert.Equal([("abs1", "abs"), ("min1", "min"), ("min2", "min")], result.Kinks.Select(k => (k.Id, k.Op)));
        Assert.True(result.Passed); // each min sends 1 to its first winner: y and z get 1 each, as numerically
    }

    [Fact]
    public void Check_TheSameInputTwice_IsNoTie()
    {
        // max(x, x) is x and min(x, x, y) is min(x, y): smooth at x = 1 < y.
        GradientCheckResult result = Check("max(x, x) + min(x, x, y)", [("x", 1), ("y", 2)]);

        Assert.Empty(result.Kinks);
        Assert.True(result.Passed);
        Assert.Equal([2.0, 0.0], result.Leaves.Select(l => l.Analytic));
    }

    /// <summary>f = y * x, with a dead branch d = relu(log(x)) that nothing reads but which is the only sink besides f.</summary>
    private static GradientCheckResult CheckWithDeadBranch(double x)
    {
        var spec = new GraphSpec();
        spec.AddNode("x", "input", x, null);
        spec.AddNode("y", "input", 2, null);
        spec.AddNode("f", "mul", null, ["y", "x"]);
        spec.AddNode("l", "log", null, ["x"]);
        spec.AddNode("d", "relu", null, ["l"]);
        spec.Output = "f";
        using var engine = new GraphEngine();
        EvaluationResult training = engine.Evaluate(Compile(spec), EvaluationMode.Training);
        Assert.True(training.Succeeded);
        return GradientCheck.Run(training);
    }

    [Fact]
    public void Check_KinkOffEveryPathToTheOutput_IsNotListed()
    {
        GradientCheckResult result = CheckWithDeadBranch(1); // relu(log 1) = relu(0): a kink nothing sees

        Assert.Empty(result.Kinks);
        Assert.True(result.Passed);
    }

    [Fact]
    public void Check_DeadBranchUndefinedAtAPerturbedPoint_DoesNotStopTheProbe()
    {
        GradientCheckResult result = CheckWithDeadBranch(1e-7); // log(x - eps) is NaN, but f = 2x is not

        Assert.True(result.Passed);
        Assert.Equal(2, result.Leaves[0].Numeric!.Value, 6);
    }

    [Fact]
    public void Check_LeafOffEveryPathToTheOutput_HasSlopeZero()
    {
        var spec = new GraphSpec();
        spec.AddNode("x", "input", 3, null);
        spec.AddNode("z", "input", 5, null);
        spec.AddNode("f", "sin", null, ["x"]);
        spec.AddNode("g", "exp", null, ["z"]);
        spec.Output = "f";
        using var engine = new GraphEngine();
        GradientCheckResult result = GradientCheck.Run(engine.Evaluate(Compile(spec), EvaluationMode.Training));

        Assert.Equal(["x", "z"], result.Leaves.Select(l => l.Id));
        Assert.Equal(Math.Cos(3), result.Leaves[0].Numeric!.Value, 6);
        Assert.Equal(0, result.Leaves[1].Numeric);
        Assert.True(result.Passed);
    }

    [Fact]
    public void Check_ConstLeaves_AreNotChecked()
    {
        GradientCheckResult result = Check("2*x + 3", [("x", 1.5)]);

        Assert.Equal(["x"], result.Leaves.Select(l => l.Id));
    }

    [Fact]
    public void Check_Seed_ScalesTheNumericSideToo()
    {
        GradientCheckResult result = Check("x*y", [("x", 3), ("y", -2)], seed: -2.5);

        Assert.True(result.Passed);
        Assert.Equal(5, result.Leaves[0].Analytic);
    }

    [Theory]
    [InlineData(EvaluationMode.Training)]
    [InlineData(EvaluationMode.Inference)]
    public void Check_TapeCompiledForEitherMode_IsReusedAsIs(EvaluationMode compileMode) =>
        Assert.True(Check("tanh(x*y) + exp(y)", [("x", 0.3), ("y", -0.2)], compileMode: compileMode).Passed);

    [Fact]
    public void Check_LeavesTheCallersEvaluationValid()
    {
        GraphSpec spec = Parse("x*y", ("x", 3), ("y", 4)).Spec!;
        using var engine = new GraphEngine();
        EvaluationResult training = engine.Evaluate(Compile(spec), EvaluationMode.Training);

        GradientCheck.Run(training);

        Assert.Equal((12.0, 3.0, 4.0, 4.0, 3.0), (training.Value, training.ValueOf(0), training.ValueOf(1), training.GradOf(0), training.GradOf(1)));
    }

    [Fact]
    public void Check_PerturbedPointWhereTheGraphIsUndefined_FailsWithoutANumericValue()
    {
        GradientCheckResult result = Check("log(x)", [("x", 1e-7)]);

        LeafCheck leaf = Assert.Single(result.Leaves);
        Assert.Equal((1e7, (double?)null, (double?)null, false), (leaf.Analytic, leaf.Numeric, leaf.AbsError, leaf.Passed));
        Assert.False(result.Passed);
    }

    [Fact]
    public void Check_MoreLeavesThanTheLimit_ChecksOneRandomDirection()
    {
        (string, double)[] inputs = Enumerable.Range(0, 6).Select(i => ($"x{i}", 0.3 * i - 0.7)).ToArray();
        string expression = "sin(x0*x1) + tanh(x2)*x3 + sigmoid(x4)/x5";

        GradientCheckResult result = Check(expression, inputs, new GradientCheckOptions { MaxLeaves = 5 });

        Assert.Equal(GradientCheckMethod.Direction, result.Method);
        Assert.Empty(result.Leaves);
        Assert.True(result.Passed);
        DirectionCheck direction = result.Direction!;
        Assert.True(direction.Passed);
        Assert.NotEqual(0, direction.Analytic);
        Assert.Equal(direction.Analytic, direction.Numeric!.Value, 6);
        Assert.Equal(direction, Check(expression, inputs, new GradientCheckOptions { MaxLeaves = 5 }).Direction);
    }

    [Fact]
    public void Check_DefaultLimit_UsesLeavesUpTo256()
    {
        string sum = string.Join(" + ", Enumerable.Range(0, 257).Select(i => $"sin(x{i})"));
        (string, double)[] inputs = Enumerable.Range(0, 257).Select(i => ($"x{i}", i / 100.0)).ToArray();

        Assert.Equal(GradientCheckMethod.Direction, Check(sum, inputs).Method);
        Assert.Equal(GradientCheckMethod.Leaves, Check(sum[..sum.LastIndexOf(" + ", StringComparison.Ordinal)], inputs[..256]).Method);
    }

    [Fact]
    public void Check_ReferenceBackwardWithTheTable_Passes()
    {
        GradientCheckResult result = GradientCheck.Run(WithBrokenOp(Neuron(), OpCode.Sin, null));

        Assert.True(result.Passed);
    }

    [Fact]
    public void Check_WrongLocalGradient_IsCaught()
    {
        // sin's local gradient taken as sin a instead of cos a.
        EvaluationResult wrong = WithBrokenOp(Neuron(), OpCode.Sin, static (x, _, local) => local[0] = Math.Sin(x[0]));

        GradientCheckResult result = GradientCheck.Run(wrong);

        Assert.False(result.Passed);
        Assert.Equal(["w", "x"], result.Leaves.Where(l => !l.Passed).Select(l => l.Id));
        Assert.True(result.Leaves.Single(l => l.Id == "b").Passed);
    }

    [Fact]
    public void Check_WrongLocalGradientAlongADirection_IsCaught()
    {
        EvaluationResult wrong = WithBrokenOp(Neuron(), OpCode.Mul, static (x, _, local) => { local[0] = x[0]; local[1] = x[1]; });

        GradientCheckResult result = GradientCheck.Run(wrong, new GradientCheckOptions { MaxLeaves = 1 });

        Assert.Equal(GradientCheckMethod.Direction, result.Method);
        Assert.False(result.Passed);
        Assert.False(result.Direction!.Passed);
    }

    [Fact]
    public void Check_RejectsWhatItCannotCheck()
    {
        GraphSpec spec = Parse("x*y", ("x", 3), ("y", 4)).Spec!;
        using var engine = new GraphEngine();
        EvaluationResult inference = engine.Evaluate(Compile(spec, EvaluationMode.Inference), EvaluationMode.Inference);
        Assert.Throws<ArgumentException>(() => GradientCheck.Run(inference));

        EvaluationResult training = engine.Evaluate(Compile(spec), EvaluationMode.Training);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientCheck.Run(training, new GradientCheckOptions { Eps = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientCheck.Run(training, new GradientCheckOptions { Rtol = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientCheck.Run(training, new GradientCheckOptions { MaxLeaves = -1 }));
    }

    private static Tape Neuron() => Compile(Parse("tanh(sin(w*x) + b)", ("w", 0.8), ("x", -1.1), ("b", 0.3)).Spec!);

    /// <summary>
    /// A training evaluation computed by a reference forward and backward over the tape, with
    /// <paramref name="code"/>'s local-gradient rule replaced by <paramref name="wrong"/> (kept as
    /// in the table when null): the analytic side a buggy op would give the check.
    /// </summary>
    private static EvaluationResult WithBrokenOp(Tape tape, OpCode code, LocalGradientRule? wrong)
    {
        int n = tape.NodeCount;
        var values = new double[n];
        var partials = new double[tape.EdgeCount];
        var edgeOf = new int[n];
        int edge = 0;
        for (int p = 0; p < n; p++)
        {
            edgeOf[p] = edge;
            Op op = OpTable.Get(tape.OpAt(p));
            if (op.IsLeaf)
            {
                values[p] = tape.LeafValues[p];
                continue;
            }
            double[] x = tape.InputsAt(p).ToArray().Select(i => values[i]).ToArray();
            values[p] = op.Forward(x);
            Span<double> local = partials.AsSpan(edge, x.Length);
            (tape.OpAt(p) == code && wrong is not null ? wrong : op.LocalGradient)(x, values[p], local);
            edge += x.Length;
        }

        var grads = new double[n];
        grads[tape.Output] = tape.Spec.Seed;
        for (int p = n - 1; p >= 0; p--)
        {
            ReadOnlySpan<int> inputs = tape.InputsAt(p);
            for (int k = 0; k < inputs.Length; k++) grads[inputs[k]] += grads[p] * partials[edgeOf[p] + k];
        }
        var stats = new EvaluationStats(n, tape.EdgeCount, tape.EdgeCount, n);
        return new EvaluationResult(tape, EvaluationMode.Training, values[tape.Output], values, grads, stats, null);
    }
}
