namespace GradApi.Tests.Hardening;

/// <summary>
/// The tests against a live server run one at a time, after the rest: they load the CPU on purpose
/// (million-node graphs, 32 clients at once) and must not starve each other on a 2-core machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HardeningCollection
{
    public const string Name = "Hardening";
}
