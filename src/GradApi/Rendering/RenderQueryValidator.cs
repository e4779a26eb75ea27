using FluentValidation;

namespace GradApi.Rendering;

internal sealed class RenderQueryValidator : AbstractValidator<RenderQuery>
{
    private static readonly string[] Formats = ["svg", "dot", "mermaid"];

    public RenderQueryValidator() =>
        RuleFor(q => q.Format)
            .Must(format => format is null || Formats.Contains(format, StringComparer.OrdinalIgnoreCase))
            .OverridePropertyName("format")
            .WithMessage(q => $"format must be 'svg', 'dot' or 'mermaid', not '{q.Format}'.");
}
