using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace GradApi.Hosting;

/// <summary>
/// After a 413 (or a 504 whose time budget ran out while the body was arriving), reads and throws away what is left
/// of the request body, up to <see cref="HostingOptions.TooLargeDrainBytes"/>
/// and <see cref="HostingOptions.TooLargeDrainSeconds"/>, as nginx's lingering close does. A client that sends its whole
/// body before it reads the answer (Python's urllib and requests) otherwise has the connection closed under it while it
/// is still sending, and gets a broken pipe instead of the problem document. Past either bound, the connection is closed.
/// </summary>
/// <remarks>
/// HTTP/1.x only: HTTP/2 and HTTP/3 end the request's stream and keep the connection, so the client reads the answer
/// anyway. A body drained to its end leaves the connection open for the client's next request.
/// </remarks>
internal static class TooLargeBody
{
    public static async Task DrainAsync(HttpContext context)
    {
        string protocol = context.Request.Protocol;
        if (!HttpProtocol.IsHttp11(protocol) && !HttpProtocol.IsHttp10(protocol)) return;
        HostingOptions options = context.RequestServices.GetRequiredService<IOptions<HostingOptions>>().Value;

        // A body whose Content-Length is over the limit was refused before any of it was read: lift the limit, which
        // would refuse the first read too. The bounds below hold instead.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = null;
        // The answer goes out first: the client reads it once it has sent its body.
        await context.Response.CompleteAsync();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.TooLargeDrainSeconds));
        PipeReader body = context.Request.BodyReader;
        long left = options.TooLargeDrainBytes;
        try
        {
            while (left >= 0)
            {
                ReadResult result = await body.ReadAsync(timeout.Token);
                // A read cancelled without the token is the body reader's stop on the request's abort (see JsonBody),
                // which the abort may have left pending when it came while no read was waiting: read on.
                left -= result.IsCanceled ? 0 : result.Buffer.Length;
                body.AdvanceTo(result.IsCanceled ? result.Buffer.Start : result.Buffer.End);
                if (result.IsCompleted && !result.IsCanceled) return;
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or BadHttpRequestException)
        {
            // Out of time, the client gone, or a body the server had already stopped reading: close.
        }
        context.Abort();
    }
}
