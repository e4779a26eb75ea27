using GradApi.Engine.Evaluation;
using Microsoft.AspNetCore.Mvc;

namespace GradApi.CompiledGraphs;

/// <summary>The options of an evaluation of a registered graph, from its query string.</summary>
public sealed record GraphEvaluateQuery
{
    /// <summary><c>training</c> (the default): values and grads; <c>inference</c>: forward only.</summary>
    [FromQuery(Name = "mode")]
    public string? Mode { get; init; }

    /// <summary>Not offered here: explain=true is a /v1/evaluate option. Bound only to say so rather than ignore it.</summary>
    [FromQuery(Name = "explain")]
    public string? Explain { get; init; }

    /// <summary>Not offered here: check=numeric is a /v1/evaluate option. Bound only to say so rather than ignore it.</summary>
    [FromQuery(Name = "check")]
    public string? Check { get; init; }

    public EvaluationMode EvaluationMode =>
        string.Equals(Mode, "inference", StringComparison.OrdinalIgnoreCase) ? EvaluationMode.Inference : EvaluationMode.Training;
}
