using GradApi.Engine.Evaluation;

namespace GradApi.Engine.Batching;

/// <summary>
/// The error a batch answers with. Tiles run in no fixed order (on several threads) and each stops at
/// its own first failure, so the failures are offered here in no useful order; this keeps the one the
/// scalar engine would report first for some sample: forward before backward, in forward the earliest
/// position, in backward the latest position and then its first edge (the order each pass runs in),
/// and on a tie the lowest sample. Each thread keeps its own, and <see cref="Merge"/> takes the first.
/// </summary>
internal struct BatchFailure
{
    private Pass _pass;
    private int _position;
    private int _edge;

    public NumericError? Error { get; private set; }

    /// <summary>The sample that <see cref="Error"/> happened in; -1 while there is none.</summary>
    public int Sample { get; private set; }

    public readonly bool Found => Error is not null;

    /// <summary>Whether the failure kept is in the forward pass, which any backward failure comes after.</summary>
    public readonly bool IsForward => Found && _pass == Pass.Forward;

    /// <summary>Whether a forward failure at <paramref name="position"/> in <paramref name="sample"/> comes before the one kept.</summary>
    public readonly bool IsBeatenByForward(int position, int sample) =>
        !Found || _pass == Pass.Backward || position < _position || (position == _position && sample < Sample);

    /// <summary>Whether a backward failure on <paramref name="edge"/> of <paramref name="position"/> in <paramref name="sample"/> comes before the one kept.</summary>
    public readonly bool IsBeatenByBackward(int position, int edge, int sample) =>
        !Found || (_pass == Pass.Backward && (position > _position
            || (position == _position && (edge < _edge || (edge == _edge && sample < Sample)))));

    public void Keep(NumericError error, int sample, int position, int edge)
    {
        Error = error;
        Sample = sample;
        _pass = error.Pass;
        _position = position;
        _edge = edge;
    }

    /// <summary>Keeps <paramref name="other"/>'s failure if it comes first.</summary>
    public void Merge(in BatchFailure other)
    {
        if (!other.Found) return;
        bool first = other._pass == Pass.Forward
            ? IsBeatenByForward(other._position, other.Sample)
            : IsBeatenByBackward(other._position, other._edge, other.Sample);
        if (first) Keep(other.Error!, other.Sample, other._position, other._edge);
    }
}
