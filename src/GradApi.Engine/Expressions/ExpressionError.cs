namespace GradApi.Engine.Expressions;

/// <summary>
/// What is wrong with an expression or its inputs. <see cref="Column"/> is 1-based (the offset in
/// the string, counting every character); it is null for an error about an <c>inputs</c> entry as
/// a whole. <see cref="Name"/> is the function or input the error is about, when there is one.
/// </summary>
public sealed record ExpressionError(ExpressionErrorKind Kind, int? Column, string? Name, string Message);

public enum ExpressionErrorKind
{
    /// <summary>Nothing but white space.</summary>
    Empty,

    /// <summary>Longer than <see cref="ExpressionLimits.MaxLength"/>.</summary>
    TooLong,

    /// <summary>Nested deeper than <see cref="ExpressionLimits.MaxDepth"/>.</summary>
    TooDeep,

    /// <summary>A character that starts no token.</summary>
    UnexpectedCharacter,

    /// <summary>A malformed number (<c>1e</c>) or one out of the range of a double (<c>1e999</c>).</summary>
    InvalidNumber,

    /// <summary>A token where another was expected; the message says which.</summary>
    Syntax,

    /// <summary>A call of a name that is no gate of the op table.</summary>
    UnknownFunction,

    /// <summary>A call with an argument count its op does not take.</summary>
    WrongArgumentCount,

    /// <summary>A name with no value in the inputs.</summary>
    MissingInput,

    /// <summary>An inputs entry that the expression never names.</summary>
    UnusedInput,

    /// <summary>An inputs entry whose value is NaN or infinite.</summary>
    NonFiniteInput,
}
