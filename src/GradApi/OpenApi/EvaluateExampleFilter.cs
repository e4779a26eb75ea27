using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace GradApi.OpenApi;

/// <summary>
/// Puts the worked examples of the CS231n notes on the evaluate, parse and render endpoints as
/// request examples (the sigmoid neuron first, so Swagger UI's "Try it out" starts from it), error
/// answers as response examples, and the allowed values of the query options.
/// </summary>
internal sealed class EvaluateExampleFilter : IOperationFilter
{
    internal const string NeuronNodes = """
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

    private const string NeuronExpression = """
        { "expression": "sigmoid(w0*x0 + w1*x1 + w2)", "inputs": { "w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3 } }
        """;

    private const string AddMul = """
        {
          "nodes": [
            { "id": "x", "op": "input", "value": -2 },
            { "id": "y", "op": "input", "value": 5 },
            { "id": "z", "op": "input", "value": -4 },
            { "id": "q", "op": "add", "inputs": ["x", "y"] },
            { "id": "f", "op": "mul", "inputs": ["q", "z"] }
          ],
          "output": "f"
        }
        """;

    private const string CycleProblem = """
        { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "The graph is not valid", "status": 400,
          "detail": "The graph has a cycle: q -> p -> q.", "errors": { "nodes[2]": ["The graph has a cycle: q -> p -> q."] },
          "errorCount": 1, "cycle": ["q", "p"] }
        """;

    private const string ExpressionProblem = """
        { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "The expression is not valid", "status": 400,
          "detail": "Expected a number, a name or '(' at column 17, found ')'.",
          "errors": { "expression": ["Expected a number, a name or '(' at column 17, found ')'."] }, "column": 17 }
        """;

    private const string NonFiniteProblem = """
        { "type": "https://tools.ietf.org/html/rfc4918#section-11.2", "title": "The graph has a non-finite result", "status": 422,
          "detail": "Node 'lg' (log) has a non-finite value (NaN) in the forward pass; its inputs' values: [-1].",
          "node": "lg", "path": "nodes[1]", "op": "log", "pass": "forward", "inputValues": [-1] }
        """;

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        switch (operation.OperationId)
        {
            case "Evaluate":
                AddRequestExamples(operation,
                    ("neuron", "The sigmoid neuron as nodes", NeuronNodes),
                    ("neuron-expression", "The sigmoid neuron as an expression (try check=numeric)", NeuronExpression),
                    ("add-mul", "f = (x + y) * z (try explain=true)", AddMul));
                AddResponseExamples(operation, "400", ("cycle", "A cycle", CycleProblem), ("expression", "An expression syntax error", ExpressionProblem));
                AddResponseExamples(operation, "422", ("log", "log of a negative", NonFiniteProblem));
                Describe(operation, "mode", "training (default): every node's value and grad; inference: forward only, the output's value.", "training", "inference");
                Describe(operation, "explain", "true adds backward: every chain-rule step of the backward pass (training only).", "false", "true");
                Describe(operation, "check", "numeric adds gradcheck: the leaves' grads against central differences (training only).", "none", "numeric");
                break;
            case "Parse":
                AddRequestExamples(operation, ("neuron-expression", "The sigmoid neuron as an expression", NeuronExpression));
                break;
            case "Render":
                AddRequestExamples(operation,
                    ("neuron", "The sigmoid neuron as nodes", NeuronNodes),
                    ("neuron-expression", "The sigmoid neuron as an expression", NeuronExpression));
                Describe(operation, "format", "svg (default): image/svg+xml; dot: Graphviz DOT (text/vnd.graphviz); mermaid: a Mermaid flowchart (text/plain).",
                    "svg", "dot", "mermaid");
                break;
        }
    }

    internal static void AddRequestExamples(OpenApiOperation operation, params (string Key, string Summary, string Json)[] examples)
    {
        if (operation.RequestBody?.Content?.TryGetValue("application/json", out IOpenApiMediaType? json) != true
            || json is not OpenApiMediaType media) return;
        media.Examples = examples.ToDictionary(e => e.Key,
            e => (IOpenApiExample)new OpenApiExample { Summary = e.Summary, Value = JsonNode.Parse(e.Json) });
    }

    internal static void AddResponseExamples(OpenApiOperation operation, string status, params (string Key, string Summary, string Json)[] examples)
    {
        if (operation.Responses?.TryGetValue(status, out IOpenApiResponse? response) != true || response?.Content is not { } content) return;
        foreach (IOpenApiMediaType type in content.Values)
            if (type is OpenApiMediaType media)
                media.Examples = examples.ToDictionary(e => e.Key,
                    e => (IOpenApiExample)new OpenApiExample { Summary = e.Summary, Value = JsonNode.Parse(e.Json) });
    }

    internal static void Describe(OpenApiOperation operation, string name, string description, params string[] values)
    {
        if (operation.Parameters?.FirstOrDefault(p => p.Name == name) is not OpenApiParameter parameter) return;
        parameter.Description = description;
        parameter.Schema = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Enum = values.Select(v => (JsonNode)JsonValue.Create(v)).ToList(),
            Default = JsonValue.Create(values[0]),
        };
    }
}
