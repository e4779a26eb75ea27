using System.ComponentModel.DataAnnotations;

namespace GradApi.CompiledGraphs;

/// <summary>The settings of registered graphs, bound from <c>GradApi:GraphStore</c> and checked at startup.</summary>
public sealed class GraphStoreOptions
{
    public const string Section = "GradApi:GraphStore";

    /// <summary>
    /// The bytes of compiled graphs this process keeps (their tapes, ids and inputs); past it, the least recently
    /// used are dropped (and compiled again from the store when next evaluated). A graph larger than this cannot be
    /// registered (413).
    /// </summary>
    [Range(64 * 1024, 1L << 40)]
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// The bytes of canonical graphs the in-process store keeps; past it, the least recently used are forgotten
    /// (a 404 that says to register again, once this process has dropped its compiled copy too).
    /// </summary>
    [Range(64 * 1024, 1L << 40)]
    public long StoreMaxBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>The most nodes a registered graph may have; more is a 413.</summary>
    [Range(1, 50_000_000)]
    public int MaxGraphNodes { get; set; } = 1_000_000;
}
