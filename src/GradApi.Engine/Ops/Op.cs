namespace GradApi.Engine.Ops;

/// <summary>Computes a gate's output from its input values.</summary>
public delegate double ForwardRule(ReadOnlySpan<double> x);

/// <summary>
/// Writes d y / d x[k] into <c>local[k]</c> for every input k, given the inputs and the
/// output <paramref name="y"/> the forward rule produced from them.
/// </summary>
public delegate void LocalGradientRule(ReadOnlySpan<double> x, double y, Span<double> local);

/// <summary>
/// Tells whether the gate was evaluated at a point where it is not differentiable
/// (relu or abs at 0, a max/min tie), so a gradient there is a one-sided choice.
/// </summary>
public delegate bool KinkRule(ReadOnlySpan<double> x, double y);

/// <summary>
/// One gate: how it computes forward and its local gradient, side by side.
/// Leaves (<c>input</c>, <c>const</c>) have arity 0 and no rules.
/// </summary>
public sealed record Op(
    OpCode Code,
    string Name,
    int MinArity,
    int MaxArity,
    string ForwardFormula,
    string LocalGradientFormula,
    ForwardRule Forward,
    LocalGradientRule LocalGradient,
    KinkRule? Kink = null)
{
    public bool IsLeaf => MaxArity == 0;

    /// <summary>Arity as people write it: "0", "1", "2" or ">= 2".</summary>
    public string Arity => MaxArity == int.MaxValue ? $">= {MinArity}" : MinArity.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public bool AcceptsArity(int count) => count >= MinArity && count <= MaxArity;
}
