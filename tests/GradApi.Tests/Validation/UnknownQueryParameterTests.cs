using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GradApi.Tests.Infrastructure;
using GradApi.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace GradApi.Tests.Validation;

/// <summary>
/// A query parameter an endpoint does not take is a 400 naming it, on every endpoint the service has (found from
/// its routes, so an endpoint added later is tried too), and a parameter it takes passes whatever its case.
/// </summary>
public sealed class UnknownQueryParameterTests(GradApiFactory factory) : IClassFixture<GradApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Evaluate_WithAMisspelledMode_Is400NamingIt_AndWhatTheEndpointTakes()
    {
        using var response = await _client.Evaluate(Graphs.AddMul, "?mdoe=inference");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        JsonObject problem = await response.Json();
        string message = (string)problem["errors"]!["mdoe"]![0]!;
        Assert.Contains("mode, explain, check", message);
        Assert.Contains("'mdoe'", (string)problem["detail"]!);
    }

    [Fact]
    public async Task EveryUnknownParameter_IsListed()
    {
        using var response = await _client.PostJson("/v1/render?format=dot&fromat=svg&colour=red", Graphs.AddMul);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        JsonObject errors = (await response.Json())["errors"]!.AsObject();
        Assert.Equal(["colour", "fromat"], errors.Select(e => e.Key).Order());
    }

    [Theory]
    [InlineData("?mode=inference")]
    [InlineData("?MODE=Inference")]
    [InlineData("?mode=training&explain=true&check=numeric")]
    [InlineData("?")]
    public async Task KnownParameters_InAnyCase_Pass(string query)
    {
        using var response = await _client.Evaluate(Graphs.AddMul, query);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Every route-handler endpoint of the service, as a method and a path with its route values filled in.</summary>
    public static TheoryData<string, string> Endpoints()
    {
        using var service = new GradApiFactory();
        var data = new TheoryData<string, string>();
        foreach (RouteEndpoint endpoint in service.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<System.Reflection.MethodInfo>() is null) continue;
            string path = "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(segment =>
                string.Concat(segment.Parts.Select(part => part switch
                {
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                    _ => "x",
                }))));
            foreach (string method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                data.Add(method, path);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task EveryEndpoint_RefusesAnUnknownParameter(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path + "?nosuch=1");
        if (method != "GET") request.Content = new StringContent(Graphs.AddMul, System.Text.Encoding.UTF8, "application/json");

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull((await response.Json())["errors"]!["nosuch"]);
    }

    [Fact]
    public async Task ParametersAreReadFromTheHandler_RouteBodyAndServicesAreNotQueryParameters()
    {
        // An endpoint shaped as a later one might be: a route value, a [FromQuery] with its own name, a plain
        // simple-typed parameter, an [AsParameters] group, a header, a body and a service.
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(TimeProvider.System);
        await using WebApplication app = builder.Build();
        app.UseMiddleware<UnknownQueryParameters>();
        app.MapPost("/v1/graphs/{id}/evaluate", (string id, [FromQuery(Name = "mode")] string? evaluationMode, int? batch,
                [AsParameters] Paging paging, [FromHeader(Name = "X-Tag")] string? tag, Payload body, TimeProvider clock) =>
            Results.Ok(id));
        await app.StartAsync();
        HttpClient client = app.GetTestClient();

        async Task<HttpStatusCode> Post(string query) =>
            (await client.PostAsJsonAsync($"/v1/graphs/g1/evaluate{query}", new Payload(1))).StatusCode;

        Assert.Equal(HttpStatusCode.OK, await Post("?mode=inference&batch=2&page=1&pageSize=10"));
        foreach (string unknown in new[] { "id", "evaluationMode", "tag", "X-Tag", "body", "clock", "value", "sizeOfPage" })
            Assert.Equal(HttpStatusCode.BadRequest, await Post($"?{unknown}=1"));
    }

    public sealed class Paging
    {
        [FromQuery]
        public int? Page { get; init; }

        [FromQuery(Name = "pageSize")]
        public int? SizeOfPage { get; init; }
    }

    public sealed record Payload(int Value);
}
