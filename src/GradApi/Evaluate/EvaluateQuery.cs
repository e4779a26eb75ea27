using GradApi.Engine.Evaluation;
using Microsoft.AspNetCore.Mvc;

namespace GradApi.Evaluate;

/// <summary>The options of an evaluate call, from its query string.</summary>
public sealed record EvaluateQuery
{
    /// <summary><c>training</c> (the default): values and grads; <c>inference</c>: forward only.</summary>
    [FromQuery(Name = "mode")]
    public string? Mode { get; init; }

    public EvaluationMode EvaluationMode =>
        string.Equals(Mode, "inference", StringComparison.OrdinalIgnoreCase) ? EvaluationMode.Inference : EvaluationMode.Training;
}
