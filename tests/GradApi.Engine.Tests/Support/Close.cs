namespace GradApi.Engine.Tests.Support;

/// <summary>Comparisons of doubles with a tolerance that says what it is relative to.</summary>
internal static class Close
{
    /// <summary>Passes when |actual - expected| &lt;= absolute + relative * |expected|.</summary>
    public static void Equal(double expected, double actual, double relative, double absolute = 0, string? what = null)
    {
        double allowed = absolute + relative * Math.Abs(expected);
        Assert.True(Math.Abs(actual - expected) <= allowed,
            $"{what ?? "value"}: expected {expected:R}, got {actual:R} (difference {Math.Abs(actual - expected):R}, allowed {allowed:R}).");
    }

    /// <summary>Central difference (f(x + h) - f(x - h)) / 2h.</summary>
    public static double CentralDifference(Func<double, double> f, double x, double h = 1e-6) =>
        (f(x + h) - f(x - h)) / (2 * h);
}
