using System.Text;
using System.Text.Json.Nodes;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Hardening;

/// <summary>Graceful shutdown, with the real signal: the built service runs as a child process and gets SIGTERM.</summary>
[Collection(HardeningCollection.Name)]
public sealed class ShutdownTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Sigterm_WithRequestsInFlight_AnswersThemAllThenExits()
    {
        // The framework's own line per request started tells when the service is reading the bodies.
        await using var service = await ServiceProcess.Start(
            "--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information", "--Logging:Console:FormatterName=simple");
        byte[] body = Encoding.UTF8.GetBytes(Graphs.SigmoidNeuron);
        const int inFlight = 4;

        // Four requests whose bodies stop half-way: the service has started each of them and is reading its body.
        var requests = new List<RawHttp>();
        for (int i = 0; i < inFlight; i++)
        {
            RawHttp raw = await RawHttp.Connect(service.Address);
            await raw.SendHead("/v1/evaluate", body.Length);
            await raw.Send(body.AsMemory(0, body.Length / 2));
            requests.Add(raw);
        }
        try
        {
            await service.WaitForOutput(lines => lines.Count(l => l.Contains("Request starting HTTP/1.1 POST")) >= inFlight,
                "the service to start the requests");

            service.Signal("TERM");
            await service.WaitForOutput(lines => lines.Any(l => l.Contains("Application is shutting down")), "the service to begin stopping");

            foreach (RawHttp raw in requests) await raw.Send(body.AsMemory(body.Length / 2));
            foreach (RawHttp raw in requests)
            {
                RawHttp.Response? response = await raw.ReadResponse(Patience);
                Assert.NotNull(response);
                Assert.Equal(200, response.Status);
                Assert.Equal(0.7310585786300049, (double)JsonNode.Parse(response.Body)!["value"]!, 12);
            }

            Assert.Equal(0, await service.WaitForExit(Patience));
        }
        finally
        {
            foreach (RawHttp raw in requests) await raw.DisposeAsync();
        }
    }
}
