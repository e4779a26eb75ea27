using GradApi.Engine.Evaluation;
using Microsoft.AspNetCore.Mvc;

namespace GradApi.Evaluate;

/// <summary>The options of an evaluate call, from its query string.</summary>
public sealed record EvaluateQuery
{
    /// <summary><c>training</c> (the default): values and grads; <c>inference</c>: forward only.</summary>
    [FromQuery(Name = "mode")]
    public string? Mode { get; init; }

    /// <summary><c>true</c> adds <c>backward</c>: every chain-rule step of the backward pass (training only).</summary>
    [FromQuery(Name = "explain")]
    public string? Explain { get; init; }

    /// <summary><c>numeric</c> adds <c>gradcheck</c>: the leaves' grads against central differences (training only).</summary>
    [FromQuery(Name = "check")]
    public string? Check { get; init; }

    public EvaluationMode EvaluationMode =>
        string.Equals(Mode, "inference", StringComparison.OrdinalIgnoreCase) ? EvaluationMode.Inference : EvaluationMode.Training;

    public bool WantsExplain => string.Equals(Explain, "true", StringComparison.OrdinalIgnoreCase);

    public bool WantsCheck => string.Equals(Check, "numeric", StringComparison.OrdinalIgnoreCase);
}
