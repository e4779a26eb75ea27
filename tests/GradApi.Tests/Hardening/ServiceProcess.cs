using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace GradApi.Tests.Hardening;

/// <summary>
/// The service as built next to these tests (same configuration), started with <c>dotnet GradApi.dll</c> in its
/// output folder (so with the appsettings.json it ships), its console output kept.
/// </summary>
internal sealed partial class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private ServiceProcess(Process process) => _process = process;

    /// <summary>Every line the service wrote so far, standard output and error.</summary>
    public IReadOnlyCollection<string> Output => _output;

    public Uri Address { get; private set; } = null!;

    /// <param name="settings">Command-line settings on top of the defaults, e.g. <c>--Logging:Console:FormatterName=json</c>.</param>
    public static async Task<ServiceProcess> Start(params string[] settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(ServiceDll())!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
        {
            ServiceDll(), "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
        }.Concat(settings)) start.ArgumentList.Add(arg);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment.Remove("ASPNETCORE_URLS");

        var service = new ServiceProcess(Process.Start(start)!);
        service._process.OutputDataReceived += (_, e) => { if (e.Data is not null) service._output.Enqueue(e.Data); };
        service._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) service._output.Enqueue(e.Data); };
        service._process.BeginOutputReadLine();
        service._process.BeginErrorReadLine();

        await service.WaitForOutput(lines => lines.Any(l => ListeningOn().IsMatch(l)), "the service to listen");
        service.Address = new Uri(service._output.Select(l => ListeningOn().Match(l)).First(m => m.Success).Groups[1].Value);
        return service;
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString()]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    public async Task WaitForOutput(Func<IReadOnlyCollection<string>, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition(_output))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
                throw new TimeoutException($"Waited for {what}; the service wrote:\n{string.Join('\n', _output)}");
            await Task.Delay(50);
        }
    }

    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    /// <summary>src/GradApi/bin/{Configuration}/{framework}/GradApi.dll, the build this test project references.</summary>
    private static string ServiceDll()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = output.Name, configuration = output.Parent!.Name;
        DirectoryInfo? root = output;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "GradApi.sln"))) root = root.Parent;
        Assert.NotNull(root);
        string dll = Path.Combine(root.FullName, "src", "GradApi", "bin", configuration, framework, "GradApi.dll");
        Assert.True(File.Exists(dll), $"Build the service first: {dll} is missing.");
        return dll;
    }

    [GeneratedRegex(@"Now listening on: (http://[^\s""]+)")]
    private static partial Regex ListeningOn();
}
