using System.Net;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Rendering;

/// <summary>GET / serves the playground's three static files (the browser tests drive the page itself).</summary>
public sealed class PlaygroundFilesTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Theory]
    [InlineData("/", "text/html")]
    [InlineData("/index.html", "text/html")]
    [InlineData("/app.js", "text/javascript")]
    [InlineData("/app.css", "text/css")]
    public async Task PlaygroundFile_IsServed(string path, string contentType)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Page_HasTheNeuronPrefilledAndItsScriptAndStyles()
    {
        string html = await _client.GetStringAsync("/");

        Assert.Contains("value=\"sigmoid(w0*x0 + w1*x1 + w2)\"", html);
        Assert.Contains("<script src=\"app.js\" defer></script>", html);
        Assert.Contains("<link rel=\"stylesheet\" href=\"app.css\">", html);
        Assert.Contains("aria-live=\"polite\"", html);
        Assert.Contains("Content-Security-Policy", html);
    }

    [Fact]
    public async Task UnknownPath_IsStillAProblem()
    {
        using var response = await _client.GetAsync("/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
