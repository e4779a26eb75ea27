using GradApi.Engine.Compilation;

namespace GradApi.Engine.Evaluation;

/// <summary>
/// What one run of the engine produced. It reads the engine's buffers, so it is valid until
/// that engine evaluates again or is disposed.
/// </summary>
public readonly struct EvaluationResult
{
    private readonly double[]? _values;
    private readonly double[]? _grads;

    internal EvaluationResult(Tape tape, EvaluationMode mode, double value, double[]? values, double[]? grads,
        EvaluationStats stats, NumericError? error)
    {
        Tape = tape;
        Mode = mode;
        Value = value;
        _values = values;
        _grads = grads;
        Stats = stats;
        Error = error;
    }

    public Tape Tape { get; }

    public EvaluationMode Mode { get; }

    /// <summary>The output's value.</summary>
    public double Value { get; }

    public EvaluationStats Stats { get; }

    /// <summary>How long the forward pass ran (for Server-Timing; not part of the result's meaning).</summary>
    public TimeSpan ForwardTime { get; init; }

    /// <summary>How long the backward pass ran; zero in inference, or when forward failed and backward never ran.</summary>
    public TimeSpan BackwardTime { get; init; }

    /// <summary>Set when a value or grad came out non-finite; nothing else is then meaningful.</summary>
    public NumericError? Error { get; }

    public bool Succeeded => Error is null;

    /// <summary>Whether every node's value and grad are kept (training).</summary>
    public bool HasGrads => _grads is not null;

    /// <summary>The value of the request's <paramref name="node"/>-th node (training only).</summary>
    public double ValueOf(int node) => (_values ?? throw NotKept())[Tape.PositionOf(node)];

    /// <summary>d output / d node for the request's <paramref name="node"/>-th node (training only).</summary>
    public double GradOf(int node) => (_grads ?? throw NotKept())[Tape.PositionOf(node)];

    private static InvalidOperationException NotKept() =>
        new("Inference keeps neither every value nor any grad.");
}
