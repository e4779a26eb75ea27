namespace GradApi.Validation;

/// <summary>
/// A validator that can tell, without running its rules, that an argument passes all of them. The
/// <see cref="ValidationFilter"/> then skips the full FluentValidation run (and its allocations) for the
/// common request; anything it is not sure of still goes through every rule, so every message stays.
/// </summary>
internal interface IQuickCheck
{
    /// <summary>True only if every rule of the validator passes for <paramref name="argument"/>; false when unsure.</summary>
    bool SurelyValid(object argument);
}
