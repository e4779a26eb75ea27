using System.ComponentModel.DataAnnotations;
using StackExchange.Redis;

namespace GradApi.CompiledGraphs.Redis;

/// <summary>
/// The Redis graph store's settings, bound from <c>GradApi:GraphStore</c> beside the store's other settings and
/// checked at startup. Without <see cref="Redis"/> the in-process store is used and the rest is ignored.
/// </summary>
public sealed class RedisStoreOptions : IValidatableObject
{
    /// <summary>
    /// Where Redis is, as StackExchange.Redis reads it: <c>host:6379</c>, or with options such as
    /// <c>host:6379,password=...,ssl=true</c>. Empty: registered graphs stay in this process (the default).
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>
    /// How long Redis keeps a graph that nobody registers or fetches from it; each registration and each fetch (a
    /// replica compiling it) starts the time again. A graph that has expired is registered again by its client on
    /// the 404, under the same id.
    /// </summary>
    public TimeSpan RedisTimeToLive { get; set; } = TimeSpan.FromDays(7);

    /// <summary>What every key starts with, so that one Redis can serve other data, or several deployments.</summary>
    public string RedisKeyPrefix { get; set; } = "gradapi:graph:";

    /// <summary>Whether the Redis store is switched on.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Redis);

    /// <summary>The connection's settings: <see cref="Redis"/> parsed, made to ride out an outage (see <see cref="RedisConnection"/>).</summary>
    public ConfigurationOptions ToConfiguration()
    {
        ConfigurationOptions configuration = ConfigurationOptions.Parse(Redis!);
        // Start even while Redis is down, and keep reconnecting in the background: a replica serves the graphs it
        // has compiled through an outage and needs no restart after one.
        configuration.AbortOnConnectFail = false;
        // While disconnected, fail a command at once (a 503) instead of queueing it until its timeout runs out.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ClientName ??= "gradapi";
        return configuration;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        const string prefix = "GradApi:GraphStore:";
        if (Enabled)
        {
            string? error = null;
            try
            {
                if (ConfigurationOptions.Parse(Redis!).EndPoints.Count == 0) error = "names no host.";
            }
            catch (ArgumentException e)
            {
                error = e.Message;
            }
            if (error is not null)
                yield return new ValidationResult($"{prefix}Redis must be a Redis address such as 'host:6379' ({error})", [nameof(Redis)]);
        }
        if (RedisTimeToLive < TimeSpan.FromSeconds(1) || RedisTimeToLive > TimeSpan.FromDays(365))
            yield return new ValidationResult($"{prefix}RedisTimeToLive must be between 00:00:01 and 365.00:00:00 (it is {RedisTimeToLive}).",
                [nameof(RedisTimeToLive)]);
        if (string.IsNullOrEmpty(RedisKeyPrefix) || RedisKeyPrefix.Length > 128 || RedisKeyPrefix.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            yield return new ValidationResult($"{prefix}RedisKeyPrefix must be 1 to 128 characters without spaces or control characters.",
                [nameof(RedisKeyPrefix)]);
    }
}
