using FluentValidation;
using GradApi.Engine.Evaluation;
using GradApi.Evaluate;

namespace GradApi.Validation;

internal sealed class EvaluateQueryValidator : AbstractValidator<EvaluateQuery>, IQuickCheck
{
    private static readonly string[] Modes = ["training", "inference"];
    private static readonly string[] Booleans = ["true", "false"];
    private static readonly string[] Checks = ["numeric", "none"];

    public EvaluateQueryValidator()
    {
        RuleFor(q => q.Mode)
            .Must(mode => mode is null || Modes.Contains(mode, StringComparer.OrdinalIgnoreCase))
            .OverridePropertyName("mode")
            .WithMessage(q => $"mode must be 'training' or 'inference', not '{q.Mode}'.");

        RuleFor(q => q.Explain)
            .Must(explain => explain is null || Booleans.Contains(explain, StringComparer.OrdinalIgnoreCase))
            .OverridePropertyName("explain")
            .WithMessage(q => $"explain must be 'true' or 'false', not '{q.Explain}'.");

        RuleFor(q => q.Check)
            .Must(check => check is null || Checks.Contains(check, StringComparer.OrdinalIgnoreCase))
            .OverridePropertyName("check")
            .WithMessage(q => $"check must be 'numeric' or 'none', not '{q.Check}'.");

        RuleFor(q => q.WantsExplain)
            .Equal(false)
            .When(q => q.EvaluationMode == EvaluationMode.Inference)
            .OverridePropertyName("explain")
            .WithMessage("explain=true needs the backward pass: it goes with mode=training, not inference.");

        RuleFor(q => q.WantsCheck)
            .Equal(false)
            .When(q => q.EvaluationMode == EvaluationMode.Inference)
            .OverridePropertyName("check")
            .WithMessage("check=numeric compares gradients: it goes with mode=training, not inference.");
    }

    /// <summary>No option given, or only the spellings that pass every rule whatever the others say.</summary>
    public bool SurelyValid(object argument) => argument is EvaluateQuery
    {
        Mode: null or "training" or "inference", Explain: null or "false", Check: null or "none",
    };
}
