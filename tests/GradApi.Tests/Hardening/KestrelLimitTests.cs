using System.Net;
using System.Text;
using GradApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GradApi.Tests.Hardening;

/// <summary>Kestrel's limits, on a live server: body size, slow bodies, slow headers, idle connections.</summary>
[Collection(HardeningCollection.Name)]
public sealed class KestrelLimitTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        using var factory = HardeningFactory.InMemory();

        KestrelServerLimits limits = factory.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        Assert.Equal(TimeSpan.FromSeconds(10), limits.RequestHeadersTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), limits.KeepAliveTimeout);
        Assert.Equal(16 * 1024, limits.MinRequestBodyDataRate!.BytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(10), limits.MinRequestBodyDataRate.GracePeriod);
        Assert.Equal(1024 * 1024, limits.MaxRequestBodySize);
        Assert.False(factory.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.AddServerHeader);
        Assert.True(factory.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout >= TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task BodyOverTheEvaluateLimit_WithContentLength_Is413()
    {
        using var server = HardeningFactory.Live(new() { ["GradApi:MaxBodyBytes"] = "4096" });
        using var client = server.Client();

        using var response = await client.PostAsync("/v1/evaluate", Bodies.Json(Bodies.AtLeast(8192)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task BodyOverTheEvaluateLimit_Chunked_Is413()
    {
        using var server = HardeningFactory.Live(new() { ["GradApi:MaxBodyBytes"] = "4096" });
        using var client = server.Client();
        var content = new StreamContent(new MemoryStream(Bodies.AtLeast(8192)));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/evaluate") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task EvaluateBodyOverTheServersDefaultLimit_IsServedUpToItsOwnLimit()
    {
        using var server = HardeningFactory.Live();
        using var client = server.Client();
        byte[] body = Bodies.AtLeast(2 * 1024 * 1024);

        using var response = await client.PostAsync("/v1/evaluate?mode=inference", Bodies.Json(body));

        Assert.True(body.Length > 1024 * 1024);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task BodyTrickledBelowTheMinimumRate_IsDropped()
    {
        using var server = HardeningFactory.Live(new() { ["GradApi:MinRequestBodyGraceSeconds"] = "1.5" });
        await using var raw = await RawHttp.Connect(server.Address);
        await raw.SendHead("/v1/evaluate", contentLength: 100_000);

        // 10 bytes every 100 ms is 100 B/s, far below 16 KiB/s; stop as soon as the server gives up.
        Task<RawHttp.Response?> answer = raw.ReadResponse(Patience);
        byte[] drip = Encoding.ASCII.GetBytes("""{"nodes":[""").AsSpan(0, 10).ToArray();
        for (int i = 0; i < 300 && !answer.IsCompleted; i++)
        {
            try { await raw.Send(drip); }
            catch (IOException) { break; }
            await Task.WhenAny(answer, Task.Delay(100));
        }

        RawHttp.Response? response = await answer;
        // Kestrel answers 408 or just closes the connection; either way the body is never served.
        Assert.True(response is null || response.Status == 408, $"Expected the upload to be dropped, got {response?.Status}.");
    }

    [Fact]
    public async Task HeadersSentTooSlowly_CloseTheConnection()
    {
        using var server = HardeningFactory.Live(new() { ["GradApi:RequestHeadersTimeoutSeconds"] = "1" });
        await using var raw = await RawHttp.Connect(server.Address);

        await raw.Send("POST /v1/evaluate HTTP/1.1\r\nHost: 127.0.0.1\r\n"u8.ToArray());

        Assert.True(await raw.WaitForClose(Patience));
    }

    [Fact]
    public async Task IdleKeepAliveConnection_IsClosed()
    {
        using var server = HardeningFactory.Live(new() { ["GradApi:KeepAliveTimeoutSeconds"] = "1" });
        await using var raw = await RawHttp.Connect(server.Address);
        byte[] body = Encoding.UTF8.GetBytes(Graphs.AddMul);
        await raw.SendHead("/v1/evaluate", body.Length);
        await raw.Send(body);

        Assert.Equal(200, (await raw.ReadResponse(Patience))?.Status);
        Assert.True(await raw.WaitForClose(Patience));
    }
}
