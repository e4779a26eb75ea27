using System.Text.Json;

// The baseline of tests/load/load.sh: the least a JSON service must do for a request, parse its
// body and answer a tiny JSON, on the same framework and server as GradApi.
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

app.MapPost("/parse", async (HttpRequest request) =>
{
    using JsonDocument body = await JsonDocument.ParseAsync(request.Body);
    return Results.Json(new { nodes = body.RootElement.GetProperty("nodes").GetArrayLength() });
});

app.Run();
