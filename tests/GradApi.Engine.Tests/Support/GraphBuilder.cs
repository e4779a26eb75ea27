using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;

namespace GradApi.Engine.Tests.Support;

/// <summary>
/// Builds a <see cref="GraphSpec"/> in one expression:
/// <c>Graph.New().Input("x", 2).Gate("f", "sin", "x").Train()</c>.
/// </summary>
internal sealed class GraphBuilder
{
    public GraphSpec Spec { get; } = new();

    public GraphBuilder Input(string id, double value) => Node(id, "input", value, null);

    public GraphBuilder Const(string id, double value) => Node(id, "const", value, null);

    public GraphBuilder Gate(string id, string op, params string[] inputs) => Node(id, op, null, inputs);

    /// <summary>Any node, as a client could send it: <paramref name="inputs"/> null means no <c>inputs</c> field.</summary>
    public GraphBuilder Node(string id, string op, double? value, string[]? inputs)
    {
        Spec.AddNode(id, op, value, inputs);
        return this;
    }

    public GraphBuilder Output(string id)
    {
        Spec.Output = id;
        return this;
    }

    public GraphBuilder Seed(double seed)
    {
        Spec.Seed = seed;
        return this;
    }

    public CompileResult Compile(EvaluationMode mode = EvaluationMode.Training) => new GraphCompiler().Compile(Spec, mode);

    /// <summary>The errors of a graph that must not compile.</summary>
    public IReadOnlyList<GraphError> Errors()
    {
        CompileResult result = Compile();
        Assert.False(result.Succeeded, "The graph compiled, but it should not have.");
        Assert.NotEmpty(result.Errors);
        return result.Errors;
    }

    public Run Train() => Run.Of(Spec, EvaluationMode.Training);

    public Run Infer() => Run.Of(Spec, EvaluationMode.Inference);
}

internal static class Graph
{
    public static GraphBuilder New() => new();
}
