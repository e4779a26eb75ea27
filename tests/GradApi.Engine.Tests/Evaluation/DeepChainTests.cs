using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;
using GradApi.Engine.Ops;

namespace GradApi.Engine.Tests.Evaluation;

/// <summary>
/// x -> sin -> sin -> ... a million nodes deep. Nothing may recurse (micrograd's recursive
/// topological sort dies past depth 1000); the answers are checked against plain loops: of the
/// engine's own sin and cos, to the bit (the engine adds nothing of its own on the way), and of the
/// C library's, closely (the engine's sin is the right function).
/// </summary>
public sealed class DeepChainTests : IClassFixture<DeepChainTests.Chain>
{
    private readonly Chain _chain;

    public DeepChainTests(Chain chain) => _chain = chain;

    [Fact]
    public void Training_MillionNodeChain_MatchesLoopValueAndProductOfLocalDerivatives()
    {
        Tape tape = Compile(EvaluationMode.Training);
        using var engine = new GraphEngine();

        var evaluation = engine.Evaluate(tape, EvaluationMode.Training);

        Assert.Null(evaluation.Error);
        Assert.Equal(_chain.Values[^1], evaluation.Value);
        Assert.Equal(_chain.LibraryValue, evaluation.Value, _chain.LibraryValue * 1e-9);
        Assert.Equal(1.0, evaluation.GradOf(Chain.Nodes - 1));
        int middle = Chain.Nodes / 2;
        Assert.Equal(_chain.Values[middle], evaluation.ValueOf(middle));
        Assert.True(_chain.GradOfX > 0 && _chain.GradOfX < 1e-3, $"grad of x {_chain.GradOfX} should be small but not 0");
        Assert.Equal(_chain.GradOfX, evaluation.GradOf(0), _chain.GradOfX * 1e-9);
        Assert.Equal(_chain.GradOfMiddle, evaluation.GradOf(middle), _chain.GradOfMiddle * 1e-9);
        Assert.Equal(new EvaluationStats(Chain.Nodes, Chain.Nodes - 1, Chain.Nodes - 1, Chain.Nodes), evaluation.Stats);
    }

    [Fact]
    public void Inference_MillionNodeChain_MatchesLoopValueWithTwoLiveValues()
    {
        Tape tape = Compile(EvaluationMode.Inference);
        using var engine = new GraphEngine();

        var evaluation = engine.Evaluate(tape, EvaluationMode.Inference);

        Assert.Null(evaluation.Error);
        Assert.Equal(_chain.Values[^1], evaluation.Value);
        Assert.Equal(_chain.LibraryValue, evaluation.Value, _chain.LibraryValue * 1e-9);
        Assert.Equal(new EvaluationStats(Chain.Nodes, Chain.Nodes - 1, 0, 2), evaluation.Stats);
    }

    private Tape Compile(EvaluationMode mode)
    {
        CompileResult result = new GraphCompiler().Compile(_chain.Spec, mode);
        Assert.True(result.Succeeded);
        return result.Tape;
    }

    /// <summary>The chain and its answers from plain loops, built once for both tests.</summary>
    public sealed class Chain
    {
        public const int Nodes = 1_000_000;
        private const double X = 1.3;

        public Chain()
        {
            Spec = new GraphSpec(Nodes, Nodes - 1);
            Spec.AddNode("x", "input", X, null);
            for (int i = 1; i < Nodes; i++)
            {
                Spec.BeginNode($"s{i}", "sin", null);
                Spec.AddInput(i == 1 ? "x" : $"s{i - 1}");
                Spec.MarkInputs();
                Spec.EndNode();
            }

            // values[i] = sin(values[i - 1]); d s_last / d s_i = product over j > i of cos(values[j - 1]).
            Values = new double[Nodes];
            Values[0] = X;
            for (int i = 1; i < Nodes; i++) Values[i] = OpTable.Forward1(OpCode.Sin, Values[i - 1]);
            double grad = 1;
            for (int i = Nodes - 1; i >= 1; i--)
            {
                if (i == Nodes / 2) GradOfMiddle = grad;
                grad *= Math.Cos(Values[i - 1]);
            }
            GradOfX = grad;
            double library = X;
            for (int i = 1; i < Nodes; i++) library = Math.Sin(library);
            LibraryValue = library;
        }

        public GraphSpec Spec { get; }

        /// <summary>The values through the engine's sin rule.</summary>
        public double[] Values { get; }

        /// <summary>The last value through the C library's sin.</summary>
        public double LibraryValue { get; }

        public double GradOfX { get; }

        public double GradOfMiddle { get; }
    }
}
