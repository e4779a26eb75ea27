using GradApi.Tests.Hardening;

namespace GradApi.Tests.Problems;

/// <summary>
/// The in-memory services the problem tests need, each started once: one with small limits, one with an API key,
/// one whose clients may send one request a second, and one whose time budget runs out while the engine is held.
/// </summary>
public sealed class ProblemServers : IDisposable
{
    private readonly Lazy<HardeningFactory> _small = new(() => HardeningFactory.InMemory(new()
    {
        ["GradApi:MaxBodyBytes"] = "2048",
        ["GradApi:MaxRenderNodes"] = "2",
    }));

    private readonly Lazy<HardeningFactory> _keyed = new(() => HardeningFactory.InMemory(new() { ["GradApi:ApiKeys:0"] = "a-key" }));

    private readonly Lazy<HardeningFactory> _throttled = new(() => HardeningFactory.InMemory(new()
    {
        ["GradApi:ClientRequestsPerSecond"] = "1",
        ["GradApi:ClientBurst"] = "1",
    }));

    private readonly EngineProbe _probe = new();
    private readonly Lazy<HardeningFactory> _budgeted;

    public ProblemServers() =>
        _budgeted = new(() => HardeningFactory.InMemory(new() { ["GradApi:EvaluateTimeoutSeconds"] = "0.3" }, _probe.Install));

    internal HardeningFactory Small => _small.Value;

    internal HardeningFactory Keyed => _keyed.Value;

    internal HardeningFactory Throttled => _throttled.Value;

    internal HardeningFactory Budgeted => _budgeted.Value;

    public void Dispose()
    {
        foreach (Lazy<HardeningFactory> server in new[] { _small, _keyed, _throttled, _budgeted })
            if (server.IsValueCreated) server.Value.Dispose();
    }
}
