using System.Net;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Evaluate;

public sealed class LimitTests
{
    [Fact]
    public async Task GraphOverTheNodeLimit_Is413()
    {
        using var factory = GradApiFactory.With(new() { ["GradApi:MaxNodes"] = "100" });
        using var client = factory.CreateClient();

        using var within = await client.Evaluate(Graphs.SinChain(99, 0.1));
        using var over = await client.Evaluate(Graphs.SinChain(100, 0.1));

        Assert.Equal(HttpStatusCode.OK, within.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Equal("application/problem+json", over.Content.Headers.ContentType?.MediaType);
        Assert.Contains("100", (string)(await over.Json())["detail"]!);
    }

    [Fact]
    public async Task BodyOverTheSizeLimit_Is413()
    {
        using var factory = GradApiFactory.With(new() { ["GradApi:MaxBodyBytes"] = "4096" });
        using var client = factory.CreateClient();

        using var response = await client.Evaluate(Graphs.SinChain(200, 0.1));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ChunkedBodyOverTheSizeLimit_Is413()
    {
        using var factory = GradApiFactory.With(new() { ["GradApi:MaxBodyBytes"] = "4096" });
        using var client = factory.CreateClient();
        var content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Graphs.SinChain(200, 0.1))));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/evaluate") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task BodyOfExactlyTheSizeLimit_IsRead()
    {
        // A power of two, the size the buffer pool hands out: the body fills the buffer exactly.
        const int size = 4096;
        string body = Graphs.SinChain(50, 0.1).PadRight(size);
        using var factory = GradApiFactory.With(new() { ["GradApi:MaxBodyBytes"] = size.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        using var client = factory.CreateClient();
        var content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body)));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/evaluate") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var atLimit = await client.SendAsync(request);
        using var overLimit = await client.Evaluate(body + " ");

        Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, overLimit.StatusCode);
    }
}
