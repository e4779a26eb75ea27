using FluentValidation;
using GradApi.Evaluate;

namespace GradApi.Validation;

/// <summary>
/// Request-level rules on an evaluate body. The node-by-node checks run in the compiler's single
/// pass over the graph, which scales to a million nodes.
/// </summary>
internal sealed class GraphRequestValidator : AbstractValidator<GraphRequest>, IQuickCheck
{
    public GraphRequestValidator()
    {
        RuleFor(r => r.Spec.NodeCount)
            .GreaterThan(0)
            .OverridePropertyName("nodes")
            .WithMessage("nodes must list at least one node.");

        RuleFor(r => r.Spec.Output)
            .NotEmpty()
            .When(r => r.Spec.Output is not null)
            .OverridePropertyName("output")
            .WithMessage("output, when given, must name a node.");
    }

    /// <summary>The same two rules, without the rule engine (NotEmpty refuses a blank string too).</summary>
    public bool SurelyValid(object argument) =>
        argument is GraphRequest { Spec: { NodeCount: > 0, Output: var output } } && (output is null || !string.IsNullOrWhiteSpace(output));
}
