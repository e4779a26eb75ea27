using FluentValidation;
using GradApi.CompiledGraphs;

namespace GradApi.Validation;

/// <summary>
/// mode as on /v1/evaluate. explain and check are refused rather than ignored: they trace or probe one graph
/// evaluated once, which is what /v1/evaluate is for.
/// </summary>
internal sealed class GraphEvaluateQueryValidator : AbstractValidator<GraphEvaluateQuery>, IQuickCheck
{
    private static readonly string[] Modes = ["training", "inference"];

    public GraphEvaluateQueryValidator()
    {
        RuleFor(q => q.Mode)
            .Must(mode => mode is null || Modes.Contains(mode, StringComparer.OrdinalIgnoreCase))
            .OverridePropertyName("mode")
            .WithMessage(q => $"mode must be 'training' or 'inference', not '{q.Mode}'.");

        RuleFor(q => q.Explain)
            .Null()
            .OverridePropertyName("explain")
            .WithMessage("explain is not offered on a registered graph: POST the graph with its values to /v1/evaluate?explain=true.");

        RuleFor(q => q.Check)
            .Null()
            .OverridePropertyName("check")
            .WithMessage("check is not offered on a registered graph: POST the graph with its values to /v1/evaluate?check=numeric.");
    }

    public bool SurelyValid(object argument) =>
        argument is GraphEvaluateQuery { Mode: null or "training" or "inference", Explain: null, Check: null };
}
