using GradApi.Tests.Infrastructure;
using NJsonSchema.CodeGeneration.CSharp;

namespace GradApi.Tests.OpenApi;

/// <summary>
/// The service in memory, and the NSwag clients generated from docs/openapi.json, one per JSON library (each
/// generated and compiled once, on first use).
/// </summary>
public sealed class GeneratedClientFixture : IAsyncDisposable
{
    private readonly Dictionary<CSharpJsonLibrary, Task<GeneratedClient>> _clients = [];

    public GradApiFactory Factory { get; } = new();

    internal Task<GeneratedClient> Client(CSharpJsonLibrary library)
    {
        lock (_clients)
        {
            if (!_clients.TryGetValue(library, out Task<GeneratedClient>? client))
                _clients[library] = client = GeneratedClient.FromJsonAsync(OpenApiGolden.Read(), library);
            return client;
        }
    }

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}
