using GradApi.Engine.Compilation;
using GradApi.Engine.Evaluation;
using GradApi.Engine.Graphs;

namespace GradApi.Engine.Tests.Support;

/// <summary>
/// One evaluation copied out of the engine's buffers, so it outlives the engine:
/// the output's value, the stats, the error, and (training) every node's value and grad by id.
/// </summary>
internal sealed record Run(
    double Value,
    EvaluationStats Stats,
    NumericError? Error,
    IReadOnlyDictionary<string, double> Values,
    IReadOnlyDictionary<string, double> Grads)
{
    public double ValueOf(string id) => Values[id];

    public double Grad(string id) => Grads[id];

    /// <summary>Compiles (which must succeed) and evaluates <paramref name="spec"/> on a fresh engine.</summary>
    public static Run Of(GraphSpec spec, EvaluationMode mode)
    {
        Tape tape = CompileOrFail(spec, mode);
        using var engine = new GraphEngine();
        return Of(engine, tape, mode);
    }

    public static Run Of(GraphEngine engine, Tape tape, EvaluationMode mode)
    {
        var evaluation = engine.Evaluate(tape, mode);
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        var grads = new Dictionary<string, double>(StringComparer.Ordinal);
        if (evaluation.Succeeded && evaluation.HasGrads)
        {
            for (int i = 0; i < tape.Spec.NodeCount; i++)
            {
                values[tape.Spec.Id(i)] = evaluation.ValueOf(i);
                grads[tape.Spec.Id(i)] = evaluation.GradOf(i);
            }
        }
        return new Run(evaluation.Value, evaluation.Stats, evaluation.Error, values, grads);
    }

    public static Tape CompileOrFail(GraphSpec spec, EvaluationMode mode)
    {
        CompileResult result = new GraphCompiler().Compile(spec, mode);
        Assert.True(result.Succeeded,
            "The graph did not compile: " + string.Join("; ", result.Errors.Select(e => $"{e.Path}: {e.Message}")));
        return result.Tape;
    }
}
