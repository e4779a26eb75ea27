using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace GradApi.OpenApi;

/// <summary>Puts the CS231n sigmoid neuron on the evaluate and render endpoints as their request example.</summary>
internal sealed class EvaluateExampleFilter : IOperationFilter
{
    private const string SigmoidNeuron = """
        {
          "nodes": [
            { "id": "w0", "op": "input", "value": 2 },
            { "id": "x0", "op": "input", "value": -1 },
            { "id": "w1", "op": "input", "value": -3 },
            { "id": "x1", "op": "input", "value": -2 },
            { "id": "w2", "op": "input", "value": -3 },
            { "id": "a", "op": "mul", "inputs": ["w0", "x0"] },
            { "id": "b", "op": "mul", "inputs": ["w1", "x1"] },
            { "id": "d", "op": "add", "inputs": ["a", "b", "w2"] },
            { "id": "f", "op": "sigmoid", "inputs": ["d"] }
          ],
          "output": "f"
        }
        """;

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (operation.OperationId is not ("Evaluate" or "Render") || operation.RequestBody?.Content is not { } content) return;
        if (content.TryGetValue("application/json", out IOpenApiMediaType? json) && json is OpenApiMediaType media)
            media.Example = JsonNode.Parse(SigmoidNeuron);
    }
}
