using System.Globalization;

namespace GradApi.Hosting;

/// <summary>
/// Lets the app probe a running copy of itself, for container health checks
/// in images that have no curl or wget:
/// <c>dotnet GradApi.dll --probe http://127.0.0.1:8080/healthz</c>
/// exits 0 when the URL answers 200 and 1 otherwise. No web host is started.
/// Without a URL it probes <c>/healthz</c> on the first port of
/// <c>ASPNETCORE_HTTP_PORTS</c> (8080 if unset) on 127.0.0.1.
/// </summary>
internal static class HealthProbe
{
    public const string Switch = "--probe";

    /// <summary>How long the whole request may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Runs the probe when <paramref name="args"/> start with <c>--probe</c>.
    /// Returns false (and leaves the app to start as usual) otherwise.
    /// </summary>
    public static bool TryRun(string[] args, out int exitCode)
    {
        exitCode = 0;
        if (args is null || args.Length == 0 || !string.Equals(args[0], Switch, StringComparison.Ordinal))
        {
            return false;
        }

        exitCode = Run(args.Length > 1 ? args[1] : DefaultUrl(), Console.Error);
        return true;
    }

    /// <summary>Requests <paramref name="url"/>; 0 on 200, 1 on anything else.</summary>
    public static int Run(string url, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(log);

        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            log.WriteLine($"probe: not an http(s) URL: '{url}'");
            return 1;
        }

        try
        {
            // The probe talks to this host only: never through a proxy.
            using var handler = new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false };
            using var client = new HttpClient(handler) { Timeout = Timeout };
            using HttpResponseMessage response = client
                .GetAsync(uri, HttpCompletionOption.ResponseHeadersRead)
                .GetAwaiter()
                .GetResult();

            int status = (int)response.StatusCode;
            if (status == 200)
            {
                return 0;
            }

            log.WriteLine($"probe: {uri} answered {status.ToString(CultureInfo.InvariantCulture)}");
            return 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            log.WriteLine($"probe: {uri} failed: {e.Message}");
            return 1;
        }
    }

    internal static string DefaultUrl()
    {
        string port = "8080";
        string? ports = Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS");
        if (!string.IsNullOrWhiteSpace(ports))
        {
            string first = ports.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
            if (int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p is > 0 and < 65536)
            {
                port = first;
            }
        }

        return $"http://127.0.0.1:{port}/healthz";
    }
}
