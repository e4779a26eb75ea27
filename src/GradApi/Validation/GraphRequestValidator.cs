using FluentValidation;
using GradApi.Evaluate;

namespace GradApi.Validation;

/// <summary>
/// Request-level rules on an evaluate body. The node-by-node checks run in the compiler's single
/// pass over the graph, which scales to a million nodes.
/// </summary>
internal sealed class GraphRequestValidator : AbstractValidator<GraphRequest>
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
}
