using System.Text;
using System.Text.Json.Nodes;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Hardening;

/// <summary>
/// A client that sends its whole body before it reads (as Python's urllib and requests do) reads the 413 problem
/// document, for a body with a Content-Length and for a chunked one, because the service drains the rest of the body
/// after answering; within its bounds, and past them it closes the connection.
/// </summary>
[Collection(HardeningCollection.Name)]
public sealed class TooLargeBodyTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>16 times the limit: far more than the socket buffers hold, so nothing gets through unread.</summary>
    private static readonly byte[] Huge = Bodies.AtLeast(16 * 1024 * 1024);

    private static Dictionary<string, string?> Limits(long drainBytes = 256L * 1024 * 1024) => new()
    {
        ["GradApi:MaxBodyBytes"] = (1024 * 1024).ToString(),
        ["GradApi:TooLargeDrainBytes"] = drainBytes.ToString(),
    };

    [Fact]
    public async Task WholeBodySentBeforeReading_WithContentLength_ReadsThe413_AndTheConnectionServesTheNextRequest()
    {
        using var server = HardeningFactory.Live(Limits());
        await using RawHttp raw = await RawHttp.Connect(server.Address);

        await raw.SendHead("/v1/evaluate", Huge.Length);
        await raw.Send(Huge);

        AssertTooLarge(await raw.ReadResponse(Patience));
        byte[] small = Encoding.UTF8.GetBytes(Graphs.SigmoidNeuron);
        await raw.SendHead("/v1/evaluate", small.Length);
        await raw.Send(small);
        RawHttp.Response? next = await raw.ReadResponse(Patience);
        Assert.Equal(200, next?.Status);
    }

    [Fact]
    public async Task WholeBodySentBeforeReading_Chunked_ReadsThe413()
    {
        using var server = HardeningFactory.Live(Limits());
        await using RawHttp raw = await RawHttp.Connect(server.Address);

        await SendChunked(raw, Huge);

        AssertTooLarge(await raw.ReadResponse(Patience));
    }

    [Fact]
    public async Task BodyPastTheDrainBound_TheConnectionIsClosedBeforeItIsAllSent()
    {
        using var server = HardeningFactory.Live(Limits(drainBytes: 1024 * 1024));
        await using RawHttp raw = await RawHttp.Connect(server.Address);

        await Assert.ThrowsAnyAsync<IOException>(() => SendChunked(raw, Bodies.AtLeast(64 * 1024 * 1024)).WaitAsync(Patience));
    }

    /// <summary>A POST to evaluate with the body in chunks of 256 KiB, all of it sent before anything is read.</summary>
    private static async Task SendChunked(RawHttp raw, byte[] body)
    {
        await raw.Send(Encoding.ASCII.GetBytes(
            "POST /v1/evaluate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
        const int chunk = 256 * 1024;
        for (int at = 0; at < body.Length; at += chunk)
        {
            int size = Math.Min(chunk, body.Length - at);
            await raw.Send(Encoding.ASCII.GetBytes($"{size:x}\r\n"));
            await raw.Send(body.AsMemory(at, size));
            await raw.Send("\r\n"u8.ToArray());
        }
        await raw.Send("0\r\n\r\n"u8.ToArray());
    }

    private static void AssertTooLarge(RawHttp.Response? response)
    {
        Assert.NotNull(response);
        Assert.Equal(413, response.Status);
        Assert.StartsWith("application/problem+json", response.Headers["Content-Type"]);
        JsonNode problem = JsonNode.Parse(response.Body)!;
        Assert.Equal(413, (int)problem["status"]!);
        Assert.Contains("1,048,576", (string)problem["detail"]!);
    }
}
