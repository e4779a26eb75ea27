namespace GradApi.Engine.Expressions;

/// <summary>
/// Bounds on what <see cref="ExpressionParser"/> accepts.
/// <see cref="MaxDepth"/> counts how many constructs enclose a point of the expression: parentheses
/// (of a group or of a call), unary minus, and the right side of <c>^</c>. A long flat chain such
/// as <c>a+b+c+...</c> does not nest; <c>-(-(x))</c> nests 4 deep.
/// <see cref="MaxLabelLength"/> caps each node's label: a longer subexpression is shown as its
/// start and end around an ellipsis, so labels stay small however long the expression is.
/// </summary>
public sealed record ExpressionLimits
{
    public static ExpressionLimits Default { get; } = new();

    public int MaxLength { get; init; } = 65_536;

    public int MaxDepth { get; init; } = 256;

    public int MaxLabelLength { get; init; } = 100;
}
