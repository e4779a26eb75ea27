using GradApi.Engine.Evaluation;
using Microsoft.AspNetCore.Mvc;

namespace GradApi.CompiledGraphs;

/// <summary>
/// The options of an evaluation of a registered graph, from its query string: mode alone. explain and check trace or
/// probe one graph evaluated once, which is what /v1/evaluate is for: here they are unknown parameters (400).
/// </summary>
public sealed record GraphEvaluateQuery
{
    /// <summary><c>training</c> (the default): values and grads; <c>inference</c>: forward only.</summary>
    [FromQuery(Name = "mode")]
    public string? Mode { get; init; }

    public EvaluationMode EvaluationMode =>
        string.Equals(Mode, "inference", StringComparison.OrdinalIgnoreCase) ? EvaluationMode.Inference : EvaluationMode.Training;
}
