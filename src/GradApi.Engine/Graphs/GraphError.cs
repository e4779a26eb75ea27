namespace GradApi.Engine.Graphs;

/// <summary>What is wrong with a graph, where (a JSON path such as <c>nodes[3].inputs[1]</c>) and on which node.</summary>
public sealed record GraphError(GraphErrorKind Kind, string Path, string? NodeId, string Message)
{
    /// <summary>For a cycle: the ids on it, in the order the edges run.</summary>
    public IReadOnlyList<string>? Cycle { get; init; }
}

public enum GraphErrorKind
{
    EmptyGraph,
    EmptyId,
    DuplicateId,
    UnknownOp,
    WrongArity,
    InputsOnLeaf,
    ValueOnNonLeaf,
    MissingValue,
    NonFiniteValue,
    UnknownInput,
    AmbiguousOutput,
    UnknownOutput,
    NonFiniteSeed,
    Cycle,
}
