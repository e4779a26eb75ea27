using GradApi.Engine.Evaluation;

namespace GradApi.Engine.Batching;

/// <summary>
/// What one batch evaluation produced. It reads the engine's buffers, so it is valid until that
/// engine evaluates again or is disposed (as <see cref="EvaluationResult"/>).
/// </summary>
public readonly struct BatchResult
{
    private readonly double[]? _values;
    private readonly double[]? _grads;
    private readonly int _gradCount;
    private readonly int _gradLength;

    internal BatchResult(int size, EvaluationMode mode, double[] values, double[]? grads, int gradCount, bool reduced,
        EvaluationStats stats, NumericError? error, int sampleIndex)
    {
        Size = size;
        Mode = mode;
        _values = values;
        _grads = grads;
        _gradCount = gradCount;
        _gradLength = reduced ? 1 : size;
        Stats = stats;
        Error = error;
        SampleIndex = error is null ? -1 : sampleIndex;
    }

    /// <summary>The number of samples, B.</summary>
    public int Size { get; }

    public EvaluationMode Mode { get; }

    public bool Succeeded => Error is null;

    /// <summary>
    /// The first non-finite value or grad, named as the scalar engine names it: of the nodes (backward:
    /// of the gates and inputs) where some sample failed, the one the scalar engine would report
    /// first, forward before backward. Nothing else is then meaningful.
    /// </summary>
    public NumericError? Error { get; }

    /// <summary>The lowest sample (lane) in which <see cref="Error"/> happened; -1 on success.</summary>
    public int SampleIndex { get; }

    /// <summary>The output's value in each sample: <see cref="Size"/> numbers (none after an error).</summary>
    public ReadOnlySpan<double> Values => Succeeded ? _values.AsSpan(0, Size) : default;

    /// <summary>
    /// d output / d node for the <paramref name="k"/>-th of the evaluation's <c>gradNodes</c>: one per
    /// sample, or one number when reduced (none after an error).
    /// </summary>
    /// <exception cref="InvalidOperationException">In inference, which computes no grad.</exception>
    public ReadOnlySpan<double> Grad(int k)
    {
        if (_grads is null) throw new InvalidOperationException("Inference computes no grad.");
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, _gradCount);
        return Succeeded ? _grads.AsSpan(k * _gradLength, _gradLength) : default;
    }

    /// <summary>
    /// The engine's footprint: <see cref="EvaluationStats.CachedPartials"/> and
    /// <see cref="EvaluationStats.PeakLiveValues"/> count lanes held at once (rows times the tile's lanes).
    /// </summary>
    public EvaluationStats Stats { get; }

    /// <summary>How long the forward passes ran, over all tiles (for Server-Timing).</summary>
    public TimeSpan ForwardTime { get; init; }

    /// <summary>How long the backward passes ran, over all tiles; zero in inference.</summary>
    public TimeSpan BackwardTime { get; init; }
}
