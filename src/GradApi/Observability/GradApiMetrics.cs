using System.Diagnostics.Metrics;
using GradApi.Engine.Evaluation;

namespace GradApi.Observability;

/// <summary>
/// The service's own instruments, on the meter <c>GradApi</c> (exported at /metrics with ASP.NET Core's request
/// metrics, see <see cref="MetricsSetup"/>). One instance, from DI; anything that counts something takes it there.
/// Counting is a few atomic adds: with no listener, each call returns at once.
/// </summary>
internal sealed class GradApiMetrics
{
    public const string MeterName = "GradApi";

    private readonly Counter<long> _nodesEvaluated;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _compiledGraphLookups;

    private static readonly KeyValuePair<string, object?> Training = new("mode", "training");
    private static readonly KeyValuePair<string, object?> Inference = new("mode", "inference");
    private static readonly KeyValuePair<string, object?> Shed = new("reason", "shed");
    private static readonly KeyValuePair<string, object?> TooLarge = new("reason", "too_large");
    private static readonly KeyValuePair<string, object?> TimedOut = new("reason", "timed_out");
    private static readonly KeyValuePair<string, object?> Hit = new("result", "hit");
    private static readonly KeyValuePair<string, object?> Miss = new("result", "miss");

    public GradApiMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        _nodesEvaluated = Meter.CreateCounter<long>("gradapi.nodes.evaluated", "{node}",
            "Nodes run by the engine, by mode: a graph's node count for each forward pass (with its backward pass in training).");
        _refused = Meter.CreateCounter<long>("gradapi.requests.refused", "{request}",
            "Requests answered 429 (reason shed: the work budget and its queue were full), 413 (too_large) or 504 (timed_out).");
        _compiledGraphLookups = Meter.CreateCounter<long>("gradapi.compiled_graphs.lookups", "{lookup}",
            "Look-ups of a registered graph among this process's compiled graphs: result hit, or miss (then compiled again from the store, if it has it).");
    }

    /// <summary>The meter, for instruments that observe state where it lives (the work budget's gauges).</summary>
    public Meter Meter { get; }

    public void NodesEvaluated(long nodes, EvaluationMode mode) =>
        _nodesEvaluated.Add(nodes, mode == EvaluationMode.Training ? Training : Inference);

    /// <summary>Counts an answer of 413, 429 or 504; any other status is not a refusal and is not counted.</summary>
    public void Answered(int status)
    {
        switch (status)
        {
            case StatusCodes.Status429TooManyRequests: _refused.Add(1, Shed); break;
            case StatusCodes.Status413PayloadTooLarge: _refused.Add(1, TooLarge); break;
            case StatusCodes.Status504GatewayTimeout: _refused.Add(1, TimedOut); break;
        }
    }

    /// <summary>A registered graph was found compiled in this process (hit) or not (miss: the store is asked for it).</summary>
    public void CompiledGraphLookup(bool hit) => _compiledGraphLookups.Add(1, hit ? Hit : Miss);
}
