using System.Net.Sockets;
using System.Text;

namespace GradApi.Tests.Hardening;

/// <summary>
/// One HTTP/1.1 request over a bare socket, for what HttpClient will not do: send the headers and part of a
/// body, hold the rest back, trickle it, or stop mid-way.
/// </summary>
internal sealed class RawHttp : IAsyncDisposable
{
    private readonly TcpClient _tcp = new() { NoDelay = true };
    private NetworkStream _stream = null!;

    /// <summary>
    /// Connects to <paramref name="server"/>; with <paramref name="receiveBufferBytes"/>, a receive buffer of that
    /// size that the kernel does not grow (it may grow to 32 MiB here, and hold a whole answer the client never reads).
    /// </summary>
    public static async Task<RawHttp> Connect(Uri server, int? receiveBufferBytes = null)
    {
        var raw = new RawHttp();
        if (receiveBufferBytes is { } bytes) raw._tcp.ReceiveBufferSize = bytes;
        await raw._tcp.ConnectAsync(server.Host, server.Port);
        raw._stream = raw._tcp.GetStream();
        return raw;
    }

    /// <summary>Sends the request line and headers of a JSON POST with a Content-Length, and no body yet.</summary>
    public Task SendHead(string path, long contentLength, string? extraHeaders = null) =>
        Send(Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {contentLength}\r\n{extraHeaders}\r\n"));

    public async Task Send(ReadOnlyMemory<byte> bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>
    /// Reads one response: its status, headers and body (by Content-Length or chunked), or null when the
    /// server closed or reset the connection first.
    /// </summary>
    public async Task<Response?> ReadResponse(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new List<byte>();
        var chunk = new byte[16 * 1024];
        try
        {
            int headEnd;
            while ((headEnd = IndexOf(buffer, "\r\n\r\n"u8)) < 0)
                if (!await ReadMore(buffer, chunk, cancel.Token)) return null;

            string[] head = Encoding.ASCII.GetString(buffer.GetRange(0, headEnd).ToArray()).Split("\r\n");
            int status = int.Parse(head[0].Split(' ')[1]);
            var headers = head.Skip(1).Select(h => h.Split(':', 2))
                .GroupBy(h => h[0].Trim(), StringComparer.OrdinalIgnoreCase)
                .ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.OrdinalIgnoreCase);
            buffer.RemoveRange(0, headEnd + 4);

            byte[] body;
            if (headers.TryGetValue("Content-Length", out string? length))
            {
                while (buffer.Count < int.Parse(length))
                    if (!await ReadMore(buffer, chunk, cancel.Token)) return null;
                body = buffer.GetRange(0, int.Parse(length)).ToArray();
            }
            else if (headers.TryGetValue("Transfer-Encoding", out string? encoding) && encoding.Contains("chunked"))
            {
                var decoded = new List<byte>();
                while (true)
                {
                    int lineEnd;
                    while ((lineEnd = IndexOf(buffer, "\r\n"u8)) < 0)
                        if (!await ReadMore(buffer, chunk, cancel.Token)) return null;
                    int size = Convert.ToInt32(Encoding.ASCII.GetString(buffer.GetRange(0, lineEnd).ToArray()).Split(';')[0], 16);
                    while (buffer.Count < lineEnd + 2 + size + 2)
                        if (!await ReadMore(buffer, chunk, cancel.Token)) return null;
                    decoded.AddRange(buffer.GetRange(lineEnd + 2, size));
                    buffer.RemoveRange(0, lineEnd + 2 + size + 2);
                    if (size == 0) break;
                }
                body = decoded.ToArray();
            }
            else
            {
                body = [];
            }
            return new Response(status, headers, Encoding.UTF8.GetString(body));
        }
        catch (IOException)
        {
            return null;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>Reads whatever arrives until at least <paramref name="bytes"/> have; false if the connection ends or the time runs out first.</summary>
    public async Task<bool> ReadAtLeast(int bytes, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var chunk = new byte[16 * 1024];
        try
        {
            for (int read = 0; read < bytes;)
            {
                int more = await _stream.ReadAsync(chunk, cancel.Token);
                if (more == 0) return false;
                read += more;
            }
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            return false;
        }
    }

    /// <summary>Waits until the server closes the connection; false if it is still open after the timeout.</summary>
    public async Task<bool> WaitForClose(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var chunk = new byte[4096];
        try
        {
            while (await _stream.ReadAsync(chunk, cancel.Token) > 0) { }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<bool> ReadMore(List<byte> buffer, byte[] chunk, CancellationToken cancellationToken)
    {
        int read = await _stream.ReadAsync(chunk, cancellationToken);
        buffer.AddRange(chunk.AsSpan(0, read).ToArray());
        return read > 0;
    }

    private static int IndexOf(List<byte> buffer, ReadOnlySpan<byte> value)
    {
        for (int i = 0; i + value.Length <= buffer.Count; i++)
        {
            int k = 0;
            while (k < value.Length && buffer[i + k] == value[k]) k++;
            if (k == value.Length) return i;
        }
        return -1;
    }

    public sealed record Response(int Status, IReadOnlyDictionary<string, string> Headers, string Body);
}
