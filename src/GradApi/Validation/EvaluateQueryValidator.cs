using FluentValidation;
using GradApi.Evaluate;

namespace GradApi.Validation;

internal sealed class EvaluateQueryValidator : AbstractValidator<EvaluateQuery>
{
    private static readonly string[] Modes = ["training", "inference"];

    public EvaluateQueryValidator()
    {
        RuleFor(q => q.Mode)
            .Must(mode => mode is null || Modes.Contains(mode, StringComparer.OrdinalIgnoreCase))
            .OverridePropertyName("mode")
            .WithMessage(q => $"mode must be 'training' or 'inference', not '{q.Mode}'.");
    }
}
