using System.Text.Json;

// The baseline of tests/load/load.sh: the least a JSON service must do for a request, parse its
// body and answer a tiny JSON, on the same framework and server as GradApi.
var builder = WebApplication.CreateBuilder(args);
// Kestrel's limits from configuration, which the host does not bind by itself: tests/load/bigdag.sh raises
// the body limit (30 MB by default) with --Kestrel:Limits:MaxRequestBodySize=... for its 57 MB body.
builder.WebHost.ConfigureKestrel(options => builder.Configuration.GetSection("Kestrel:Limits").Bind(options.Limits));
var app = builder.Build();

app.MapPost("/parse", async (HttpRequest request) =>
{
    using JsonDocument body = await JsonDocument.ParseAsync(request.Body);
    return Results.Json(new { nodes = body.RootElement.GetProperty("nodes").GetArrayLength() });
});

app.Run();
