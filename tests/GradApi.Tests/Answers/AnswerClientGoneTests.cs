using System.Net;
using System.Text.Json;
using GradApi.Tests.Hardening;

namespace GradApi.Tests.Answers;

/// <summary>
/// On real Kestrel: a client that leaves while a long answer is being written stops the writing where it is (the
/// rest is not formatted for nobody), and the service goes on answering.
/// </summary>
[Collection(HardeningCollection.Name)]
public sealed class AnswerClientGoneTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ClientThatLeavesMidAnswer_StopsTheWriting_AndTheNextRequestIsAnswered()
    {
        using var server = HardeningFactory.Live();
        byte[] body = Bodies.SinChain(300_000); // an answer of some 20 MB: more than the sockets hold

        await using (RawHttp raw = await RawHttp.Connect(server.Address, receiveBufferBytes: 64 * 1024))
        {
            await raw.SendHead("/v1/evaluate", body.Length);
            await raw.Send(body);
            Assert.True(await raw.ReadAtLeast(512 * 1024, Patience), "the answer did not start");
        }

        LogSink.Entry stopped = await server.Log.WaitFor(e => e.Message.StartsWith("Stopped POST /v1/evaluate", StringComparison.Ordinal), "the stopped request");
        Assert.Equal("the client went away", stopped.State["Reason"]);
        Assert.Matches(@"^(ParallelChunks|JsonPieces)\.", (string)stopped.State["StoppedIn"]!);
        using HttpClient client = server.Client();
        using HttpResponseMessage next = await client.PostAsync("/v1/evaluate", Bodies.Json(Bodies.SinChain(50_000)));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        using JsonDocument answer = JsonDocument.Parse(await next.Content.ReadAsStreamAsync());
        Assert.Equal(50_001, answer.RootElement.GetProperty("nodes").GetArrayLength());
    }
}
