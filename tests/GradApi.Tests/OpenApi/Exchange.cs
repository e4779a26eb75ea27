using System.Net.Http.Headers;

namespace GradApi.Tests.OpenApi;

/// <summary>One request a client sent and the answer it got, as they were on the wire.</summary>
internal sealed record Exchange(HttpMethod Method, Uri Uri, string? RequestBody, int Status, string? ContentType, byte[] Answer);

/// <summary>Records every exchange that passes through it, so a test can see what a generated client really sent and got.</summary>
internal sealed class RecordingHandler : DelegatingHandler
{
    private readonly List<Exchange> _exchanges = [];

    public IReadOnlyList<Exchange> Exchanges
    {
        get { lock (_exchanges) return [.. _exchanges]; }
    }

    public Exchange Last => Exchanges[^1];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string? body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
        byte[] answer = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        MediaTypeHeaderValue? type = response.Content.Headers.ContentType;

        // The generated client reads the answer again: give it the same bytes and headers.
        var replay = new ByteArrayContent(answer);
        foreach (var header in response.Content.Headers) replay.Headers.TryAddWithoutValidation(header.Key, header.Value);
        response.Content = replay;
        lock (_exchanges) _exchanges.Add(new Exchange(request.Method, request.RequestUri!, body, (int)response.StatusCode, type?.MediaType, answer));
        return response;
    }
}
