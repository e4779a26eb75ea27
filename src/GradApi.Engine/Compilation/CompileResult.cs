using GradApi.Engine.Graphs;

namespace GradApi.Engine.Compilation;

/// <summary>Either a tape or the errors that kept the graph from becoming one.</summary>
public sealed class CompileResult
{
    private CompileResult(Tape? tape, IReadOnlyList<GraphError> errors, int errorCount)
    {
        Tape = tape;
        Errors = errors;
        ErrorCount = errorCount;
    }

    public Tape? Tape { get; }

    /// <summary>The errors found, at most <see cref="GraphCompiler.MaxReportedErrors"/> of them.</summary>
    public IReadOnlyList<GraphError> Errors { get; }

    /// <summary>How many errors were found in all, including those not listed.</summary>
    public int ErrorCount { get; }

    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Tape))]
    public bool Succeeded => Tape is not null;

    internal static CompileResult Success(Tape tape) => new(tape, [], 0);

    internal static CompileResult Failure(IReadOnlyList<GraphError> errors, int errorCount) => new(null, errors, errorCount);
}
