namespace GradApi.Engine.Insight;

/// <summary>How <see cref="GradientCheck"/> compared the gradients.</summary>
public enum GradientCheckMethod
{
    /// <summary>Each input leaf on its own: two forward passes per leaf.</summary>
    Leaves,

    /// <summary>One random direction through all input leaves at once: two forward passes.</summary>
    Direction,
}

/// <summary>
/// Central differences as referee. <see cref="Eps"/>, <see cref="Atol"/>, <see cref="Rtol"/> are
/// torch.autograd.gradcheck's defaults. Past <see cref="MaxLeaves"/> input leaves one random
/// direction is checked instead, drawn from <see cref="RandomSeed"/> (so a check repeats exactly).
/// </summary>
public sealed record GradientCheckOptions
{
    public static GradientCheckOptions Default { get; } = new();

    public double Eps { get; init; } = 1e-6;

    public double Atol { get; init; } = 1e-5;

    public double Rtol { get; init; } = 1e-3;

    public int MaxLeaves { get; init; } = 256;

    public int RandomSeed { get; init; } = 0;
}

/// <summary>
/// One input leaf: its analytic grad against the central difference. <see cref="Numeric"/> and
/// <see cref="AbsError"/> are null when a perturbed forward pass gave a non-finite value (the
/// leaf then fails). Passed when |analytic - numeric| &lt;= atol + rtol * |numeric|.
/// </summary>
public sealed record LeafCheck(string Id, int NodeIndex, double Analytic, double? Numeric, double? AbsError, bool Passed);

/// <summary>
/// The check along one random unit direction v: <see cref="Analytic"/> is grad · v, and
/// <see cref="Numeric"/> (f(x + eps v) - f(x - eps v)) / (2 eps), times the seed.
/// </summary>
public sealed record DirectionCheck(double Analytic, double? Numeric, double? AbsError, bool Passed);

/// <summary>A node evaluated where its op is not differentiable (relu or abs at 0, a max/min tie).</summary>
public sealed record Kink(string Id, int NodeIndex, string Op);

/// <summary>
/// The outcome of <see cref="GradientCheck.Run"/>. <see cref="Leaves"/> is filled for
/// <see cref="GradientCheckMethod.Leaves"/>, <see cref="Direction"/> for
/// <see cref="GradientCheckMethod.Direction"/>. <see cref="Passed"/> does not excuse a mismatch
/// at a kink: it only says where one is to be expected.
/// </summary>
public sealed record GradientCheckResult(
    double Eps,
    double Atol,
    double Rtol,
    GradientCheckMethod Method,
    bool Passed,
    IReadOnlyList<LeafCheck> Leaves,
    DirectionCheck? Direction,
    IReadOnlyList<Kink> Kinks);
