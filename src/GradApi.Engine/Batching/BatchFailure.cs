using GradApi.Engine.Evaluation;

namespace GradApi.Engine.Batching;

/// <summary>
/// The error a batch answers with. Tiles run one after another and each stops at its own first
/// failure, so the failures are offered here in no useful order; this keeps the one the scalar
/// engine would report first for some sample: forward before backward, in forward the earliest
/// position, in backward the latest position and then its first edge (the order each pass runs in),
/// and on a tie the lowest sample, since samples are offered in ascending order.
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

    /// <summary>Whether a forward failure at <paramref name="position"/> comes before the one kept.</summary>
    public readonly bool IsBeatenByForward(int position) =>
        !Found || _pass == Pass.Backward || position < _position;

    /// <summary>Whether a backward failure on <paramref name="edge"/> of <paramref name="position"/> comes before the one kept.</summary>
    public readonly bool IsBeatenByBackward(int position, int edge) =>
        !Found || (_pass == Pass.Backward && (position > _position || (position == _position && edge < _edge)));

    public void Keep(NumericError error, int sample, int position, int edge)
    {
        Error = error;
        Sample = sample;
        _pass = error.Pass;
        _position = position;
        _edge = edge;
    }
}
