using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using GradApi.Tests.Hardening;
using GradApi.Tests.Infrastructure;

namespace GradApi.Tests.Hosting;

/// <summary>
/// The logs a user of the shipped service gets (its appsettings.json, JSON console logs as the container writes
/// them): each request writes exactly one line at Information, with its trace id, and a client's error is not
/// logged as a failure with a stack trace.
/// </summary>
[Collection(HardeningCollection.Name)]
public sealed class RequestLogTests
{
    [Fact]
    public async Task EachRequest_LogsOneLineWithItsTraceId_AndClientErrorsNoStackTrace()
    {
        await using ServiceProcess service = await ServiceProcess.Start("--Logging:Console:FormatterName=json");
        using var client = new HttpClient { BaseAddress = service.Address };

        string good = await Send(client, "/v1/evaluate", Graphs.AddMul, accept: null, expected: 200);
        string notJson = await Send(client, "/v1/evaluate", """{"nodes": [""", accept: "image/svg+xml", expected: 400);
        string badGraph = await Send(client, "/v1/render?format=dot", """{"nodes": [{"id": "a", "op": "frob", "value": 1}]}""", accept: "text/html", expected: 400);
        string unknownQuery = await Send(client, "/v1/parse?mdoe=1", Graphs.AddMul, accept: null, expected: 400);

        foreach ((string trace, int status) in new[] { (good, 200), (notJson, 400), (badGraph, 400), (unknownQuery, 400) })
        {
            await service.WaitForOutput(lines => lines.Any(l => l.Contains(trace) && l.Contains("\"EventId\":1")), $"the line of trace {trace}");
            JsonObject[] lines = service.Output.Where(l => l.Contains(trace)).Select(l => JsonNode.Parse(l)!.AsObject()).ToArray();
            JsonObject line = Assert.Single(lines);
            Assert.Equal("Information", (string?)line["LogLevel"]);
            Assert.Equal("GradApi.Hosting.RequestLog", (string?)line["Category"]);
            Assert.Equal(status, (int)line["State"]!["Status"]!);
            Assert.Equal(trace, (string?)line["State"]!["TraceId"]);
            Assert.Contains(line["Scopes"]!.AsArray(), scope => (string?)scope!["TraceId"] == trace);
        }

        string all = string.Join('\n', service.Output);
        Assert.DoesNotContain("\"LogLevel\":\"Error\"", all);
        Assert.DoesNotContain("Exception", all);
        Assert.DoesNotContain("   at ", all);
        // Every line written while requests ran carries a trace id: the framework's start-up lines come before any.
        Assert.All(service.Output.SkipWhile(l => !l.Contains(good)), l => Assert.Contains("\"TraceId\":", l));
    }

    /// <summary>Sends a request under a trace id of its own (W3C traceparent), and answers that id.</summary>
    private static async Task<string> Send(HttpClient client, string path, string body, string? accept, int expected)
    {
        string trace = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("traceparent", $"00-{trace}-{Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.NextInt64()))}-01");
        if (accept is not null) request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(accept));
        using HttpResponseMessage response = await client.SendAsync(request);
        Assert.Equal(expected, (int)response.StatusCode);
        if (expected >= 400) Assert.Equal(trace, ((string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["traceId"])?.Split('-')[1]);
        return trace;
    }
}
