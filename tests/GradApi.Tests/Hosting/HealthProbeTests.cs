using System.Net;
using System.Net.Sockets;
using GradApi.Hosting;

namespace GradApi.Tests.Hosting;

/// <summary>The container health check: <c>dotnet GradApi.dll --probe URL</c>.</summary>
public sealed class HealthProbeTests
{
    [Theory]
    [InlineData("")]
    [InlineData("--urls http://127.0.0.1:5000")]
    [InlineData("--GradApi:MaxNodes=10 --probe")]
    public void TryRun_WithoutTheProbeSwitchFirst_LeavesTheAppToStart(string commandLine)
    {
        string[] args = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        Assert.False(HealthProbe.TryRun(args, out _));
    }

    [Fact]
    public void Probe_OfA200_Exits0()
    {
        using var server = new OneShotServer(HttpStatusCode.OK);

        Assert.True(HealthProbe.TryRun(["--probe", server.Url], out int exitCode));

        Assert.Equal(0, exitCode);
        Assert.Equal("/healthz", server.RequestedPath());
    }

    [Fact]
    public void Probe_OfA503_Exits1()
    {
        using var server = new OneShotServer(HttpStatusCode.ServiceUnavailable);

        Assert.Equal(1, HealthProbe.Run(server.Url, TextWriter.Null));
    }

    [Fact]
    public void Probe_OfAClosedPort_Exits1()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var log = new StringWriter();
        Assert.Equal(1, HealthProbe.Run($"http://127.0.0.1:{port}/healthz", log));
        Assert.Contains("failed", log.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1/healthz")]
    [InlineData("/healthz")]
    public void Probe_OfNoHttpUrl_Exits1(string url)
    {
        Assert.Equal(1, HealthProbe.Run(url, TextWriter.Null));
    }

    /// <summary>Answers one HTTP request on a loopback port with a fixed status.</summary>
    private sealed class OneShotServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Task<string> _request;

        public OneShotServer(HttpStatusCode status)
        {
            _listener.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/healthz";
            _request = Task.Run(async () =>
            {
                using TcpClient client = await _listener.AcceptTcpClientAsync();
                using NetworkStream stream = client.GetStream();
                using var reader = new StreamReader(stream);
                string requestLine = await reader.ReadLineAsync() ?? "";
                while (!string.IsNullOrEmpty(await reader.ReadLineAsync()))
                {
                }

                byte[] answer = System.Text.Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 {(int)status} {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(answer);
                return requestLine;
            });
        }

        public string Url { get; }

        /// <summary>The path of the request that was answered.</summary>
        public string RequestedPath() => _request.Result.Split(' ')[1];

        public void Dispose() => _listener.Stop();
    }
}
