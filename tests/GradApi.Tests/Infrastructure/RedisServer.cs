using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GradApi.Tests.Infrastructure;

/// <summary>
/// A real Redis (Debian's <c>redis-server</c>) for one test class: started on a free port of 127.0.0.1 with a
/// temporary folder, nothing saved to disk, stopped and started again on the same port when a test asks, killed
/// at the end.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gradapi-redis-").FullName;
    private readonly string[] _settings;
    private Process? _process;

    private RedisServer(string[] settings) => _settings = settings;

    public int Port { get; private set; }

    /// <summary>What <c>GradApi:GraphStore:Redis</c> is set to for this server.</summary>
    public string Address => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public bool Running => _process is { HasExited: false };

    /// <summary>
    /// A server started and answering PING. <paramref name="settings"/> are more redis-server arguments, such as
    /// <c>--maxmemory 2mb</c>.
    /// </summary>
    public static async Task<RedisServer> StartAsync(params string[] settings)
    {
        var server = new RedisServer(settings);
        server.Port = FreePort();
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server again (after <see cref="StopAsync"/>) on the same port, empty.</summary>
    public async Task StartAgainAsync()
    {
        if (Running) throw new InvalidOperationException("redis-server is running already.");
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _folder,
        };
        foreach (string argument in (string[])["--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no", "--dir", _folder, "--daemonize", "no", "--loglevel", "warning"])
            start.ArgumentList.Add(argument);
        foreach (string setting in _settings) start.ArgumentList.Add(setting);

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await PingsAsync())
        {
            if (_process.HasExited) throw new InvalidOperationException($"redis-server exited with {_process.ExitCode}.");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"redis-server on {Address} did not answer PING in 10 s.");
            await Task.Delay(20);
        }
    }

    /// <summary>Kills the server (as a crash or a lost network would), and waits until its port is closed.</summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private async Task<bool> PingsAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            NetworkStream stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            int read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(2));
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
