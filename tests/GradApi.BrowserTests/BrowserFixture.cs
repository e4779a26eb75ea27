using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;

namespace GradApi.BrowserTests;

/// <summary>
/// The service on a real loopback port (Kestrel on port 0) and one headless Debian chromium,
/// driven by Playwright, shared by every browser test. No browser is downloaded: the tests use the
/// system's chromium, and fail, saying what to install, when it is missing.
/// </summary>
public sealed partial class BrowserFixture : IAsyncLifetime
{
    /// <summary>Debian's chromium; GRADAPI_CHROMIUM may name another build of Chromium.</summary>
    public static readonly string ChromiumPath = Environment.GetEnvironmentVariable("GRADAPI_CHROMIUM") is { Length: > 0 } path
        ? path
        : "/usr/bin/chromium";

    public static bool ChromiumPresent => File.Exists(ChromiumPath);

    public static string MissingChromium =>
        $"No Chromium at {ChromiumPath}: the browser tests drive a real browser. "
        + "Install Debian's with 'apt-get install -y chromium' (.ci/run does), or set GRADAPI_CHROMIUM to another Chromium.";

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly ServiceFactory _factory = new();
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>The service's address, e.g. http://127.0.0.1:40123/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException(ChromiumPresent ? "The browser has not started." : MissingChromium);

    public async Task InitializeAsync()
    {
        // Without a Chromium every test is skipped (see BrowserFactAttribute), or fails through Browser.
        if (!ChromiumPresent) return;

        _factory.StartServer();
        using (HttpClient client = _factory.CreateClient()) BaseAddress = client.BaseAddress!;

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 60_000,
        });
    }

    /// <summary>
    /// A fresh page in its own context, at a desktop size. Script errors, and console errors but the
    /// browser's own note of a client-error answer the page asked for (a problem it then shows), go to <paramref name="errors"/>.
    /// </summary>
    public async Task<IPage> NewPageAsync(List<string> errors)
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, BaseURL = BaseAddress.ToString() });
        context.SetDefaultTimeout(15_000);
        IPage page = await context.NewPageAsync();
        page.PageError += (_, error) => errors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !ExpectedProblem().IsMatch(message.Text)) errors.Add(message.Text);
        };
        return page;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        await _factory.DisposeAsync();
    }

    [System.Text.RegularExpressions.GeneratedRegex("^Failed to load resource: the server responded with a status of (400|413|415|422) ")]
    private static partial System.Text.RegularExpressions.Regex ExpectedProblem();

    /// <summary>The service in Production, served by Kestrel on a free loopback port.</summary>
    private sealed class ServiceFactory : WebApplicationFactory<Program>
    {
        public ServiceFactory() => UseKestrel(0);

        protected override void ConfigureWebHost(IWebHostBuilder builder) =>
            builder.UseEnvironment("Production").UseSetting("GradApi:WarmupNodes", "0"); // small graphs only here
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
