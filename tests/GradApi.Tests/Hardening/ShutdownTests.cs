using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Hardening;

/// <summary>Graceful shutdown, with the real signal: the built service runs as a child process and gets SIGTERM.</summary>
[Collection(HardeningCollection.Name)]
public sealed partial class ShutdownTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Sigterm_WithRequestsInFlight_AnswersThemAllThenExits()
    {
        await using var service = await ServiceProcess.Start();
        byte[] body = Encoding.UTF8.GetBytes(Graphs.SigmoidNeuron);
        const int inFlight = 4;

        // Four requests whose bodies stop half-way: the service has started each of them and is reading its body.
        var requests = new List<RawHttp>();
        for (int i = 0; i < inFlight; i++)
        {
            RawHttp raw = await RawHttp.Connect(service.Address);
            await raw.SendHead("/v1/evaluate", body.Length);
            await raw.Send(body.AsMemory(0, body.Length / 2));
            requests.Add(raw);
        }
        try
        {
            await service.WaitForOutput(lines => lines.Count(l => l.Contains("Request starting HTTP/1.1 POST")) >= inFlight,
                "the service to start the requests");

            service.Signal("TERM");
            await service.WaitForOutput(lines => lines.Any(l => l.Contains("Application is shutting down")), "the service to begin stopping");

            foreach (RawHttp raw in requests) await raw.Send(body.AsMemory(body.Length / 2));
            foreach (RawHttp raw in requests)
            {
                RawHttp.Response? response = await raw.ReadResponse(Patience);
                Assert.NotNull(response);
                Assert.Equal(200, response.Status);
                Assert.Equal(0.7310585786300049, (double)JsonNode.Parse(response.Body)!["value"]!, 12);
            }

            Assert.Equal(0, await service.WaitForExit(Patience));
        }
        finally
        {
            foreach (RawHttp raw in requests) await raw.DisposeAsync();
        }
    }

    /// <summary>The service as built next to these tests (same configuration), started with <c>dotnet GradApi.dll</c>.</summary>
    private sealed partial class ServiceProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _output = new();

        private ServiceProcess(Process process) => _process = process;

        public Uri Address { get; private set; } = null!;

        public static async Task<ServiceProcess> Start()
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
                ServiceDll(), "--urls", "http://127.0.0.1:0",
                "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
                "--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information",
                "--Logging:Console:FormatterName=simple",
            }) start.ArgumentList.Add(arg);
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

        [GeneratedRegex(@"Now listening on: (http://\S+)")]
        private static partial Regex ListeningOn();
    }
}
