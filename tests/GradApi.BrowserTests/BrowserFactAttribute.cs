namespace GradApi.BrowserTests;

/// <summary>
/// A test that drives Chromium. On a machine without one it is skipped, saying what to install;
/// CI installs Debian's chromium and sets GRADAPI_REQUIRE_TOOLS=1, so there it can never be skipped.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (!BrowserFixture.ChromiumPresent && Environment.GetEnvironmentVariable("GRADAPI_REQUIRE_TOOLS") != "1")
            Skip = BrowserFixture.MissingChromium;
    }
}
