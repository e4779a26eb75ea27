using GradApi.Engine.Graphs;

namespace GradApi.Engine.Expressions;

/// <summary>Either the graph an expression describes or the errors that kept it from being one.</summary>
public sealed class ExpressionParseResult
{
    private ExpressionParseResult(GraphSpec? spec, IReadOnlyList<ExpressionError> errors)
    {
        Spec = spec;
        Errors = errors;
    }

    /// <summary>The graph, with <see cref="GraphSpec.Output"/> set to the expression's root node.</summary>
    public GraphSpec? Spec { get; }

    public IReadOnlyList<ExpressionError> Errors { get; }

    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Spec))]
    public bool Succeeded => Spec is not null;

    internal static ExpressionParseResult Success(GraphSpec spec) => new(spec, []);

    internal static ExpressionParseResult Failure(IReadOnlyList<ExpressionError> errors) => new(null, errors);
}
