using FluentValidation;
using GradApi.CompiledGraphs;

namespace GradApi.Validation;

/// <summary>mode, as on /v1/evaluate.</summary>
internal sealed class GraphEvaluateQueryValidator : AbstractValidator<GraphEvaluateQuery>, IQuickCheck
{
    private static readonly string[] Modes = ["training", "inference"];

    public GraphEvaluateQueryValidator()
    {
        RuleFor(q => q.Mode)
            .Must(mode => mode is null || Modes.Contains(mode, StringComparer.OrdinalIgnoreCase))
            .OverridePropertyName("mode")
            .WithMessage(q => $"mode must be 'training' or 'inference', not '{q.Mode}'.");
    }

    public bool SurelyValid(object argument) =>
        argument is GraphEvaluateQuery { Mode: null or "training" or "inference" };
}
