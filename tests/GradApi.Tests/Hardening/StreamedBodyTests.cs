using System.Text;
using System.Text.Json.Nodes;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Hardening;

/// <summary>
/// A graph's body is parsed as it arrives: one that comes slowly, in pieces, gets the answer the same body sent at once
/// gets; and a fault found before the body's end is answered once the body has come, so that a client that sends its
/// whole body before it reads (as Python's urllib does) reads the problem document.
/// </summary>
[Collection(HardeningCollection.Name)]
public sealed class StreamedBodyTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task BodyArrivingInPieces_GetsTheAnswerOfTheBodySentAtOnce()
    {
        using var server = HardeningFactory.Live();
        byte[] body = Bodies.SinChain(20_000); // some 800 KB: several windows
        using HttpClient client = server.Client();
        using HttpResponseMessage atOnce = await client.PostAsync("/v1/evaluate", Bodies.Json(body));
        string expected = await atOnce.Content.ReadAsStringAsync();
        Assert.Equal(System.Net.HttpStatusCode.OK, atOnce.StatusCode);

        await using RawHttp raw = await RawHttp.Connect(server.Address);
        await raw.SendHead("/v1/evaluate", body.Length);
        var random = new Random(3);
        for (int at = 0; at < body.Length;)
        {
            int size = Math.Min(body.Length - at, random.Next(1, 64 * 1024));
            await raw.Send(body.AsMemory(at, size));
            at += size;
            if (random.Next(4) == 0) await Task.Delay(5);
        }

        RawHttp.Response? response = await raw.ReadResponse(Patience);
        Assert.Equal(200, response?.Status);
        Assert.Equal(expected, response!.Body);
        Assert.Matches(@"read;dur=[\d.]+, parse;dur=[\d.]+", response.Headers["Server-Timing"]);
    }

    [Fact]
    public async Task FaultEarlyInALargeBody_ClientThatSendsItAllFirst_ReadsThe400_AndTheConnectionServesTheNextRequest()
    {
        using var server = HardeningFactory.Live();
        // The fault is in the first node; the rest, far more than the socket buffers hold, must still go through.
        byte[] chain = Bodies.AtLeast(16 * 1024 * 1024);
        byte[] body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(chain).Replace("\"value\":0.1", "\"value\":\"0.1\""));
        await using RawHttp raw = await RawHttp.Connect(server.Address);

        await raw.SendHead("/v1/evaluate", body.Length);
        await raw.Send(body);

        RawHttp.Response? response = await raw.ReadResponse(Patience);
        Assert.Equal(400, response?.Status);
        Assert.StartsWith("application/problem+json", response!.Headers["Content-Type"]);
        JsonNode problem = JsonNode.Parse(response.Body)!;
        Assert.Equal("Expected a number, not a string.", (string)problem["errors"]!["nodes[0].value"]![0]!);

        byte[] small = Encoding.UTF8.GetBytes(Graphs.SigmoidNeuron);
        await raw.SendHead("/v1/evaluate", small.Length);
        await raw.Send(small);
        Assert.Equal(200, (await raw.ReadResponse(Patience))?.Status);
    }
}
