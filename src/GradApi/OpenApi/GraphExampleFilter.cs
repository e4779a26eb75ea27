using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;
using static GradApi.OpenApi.EvaluateExampleFilter;

namespace GradApi.OpenApi;

/// <summary>
/// The examples of the compiled-graph operations: the sigmoid neuron registered (with defaults, and as an expression
/// whose inputs have none, so every point shares one id), evaluated at one point and at a batch of four points with
/// their mean grads, and the problems a client meets most.
/// </summary>
internal sealed class GraphExampleFilter : IOperationFilter
{
    private const string NeuronWithoutDefaults = """
        { "expression": "sigmoid(w0*x0 + w1*x1 + w2)" }
        """;

    private const string Registered = """
        { "id": "sha256:ba8aefb3349659b194d2e023a729576039cf40b19b6fdbf7e1be20dceb2a27a2",
          "inputs": ["w0", "x0", "w1", "x1", "w2"], "output": "f", "stats": { "nodes": 9, "edges": 8 },
          "defaults": { "w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3 } }
        """;

    private const string Point = """
        { "inputs": { "w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3 } }
        """;

    private const string BatchMean = """
        { "batch": { "w0": 2, "w1": -3, "w2": -3, "x0": [-1, 0, 1, 2], "x1": [-2, -1, 0, 1] },
          "grads": ["w0", "w1", "w2"], "reduce": "mean" }
        """;

    private const string BatchMeanAnswer = """
        { "mode": "training", "output": "f", "size": 4,
          "values": [0.7310585786300049, 0.5, 0.2689414213699951, 0.11920292202211755],
          "grads": { "w0": 0.05249679270175325, "w1": -0.1345575702698643, "w2": 0.18705436297161754 } }
        """;

    private const string NotFound = """
        { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.5", "title": "No such graph", "status": 404,
          "detail": "No graph is registered as 'sha256:ba8aefb3349659b194d2e023a729576039cf40b19b6fdbf7e1be20dceb2a27a2': it was never registered here, or was deleted, or was dropped to make room. Register it again with POST /v1/graphs: the same graph gets the same id.",
          "id": "sha256:ba8aefb3349659b194d2e023a729576039cf40b19b6fdbf7e1be20dceb2a27a2" }
        """;

    private const string RaggedProblem = """
        { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "The values are not valid", "status": 400,
          "detail": "batch.x1: The array has 3 numbers, but batch.x0 has 4: every array in a batch has one number per point.",
          "errors": { "batch.x1": ["The array has 3 numbers, but batch.x0 has 4: every array in a batch has one number per point."] } }
        """;

    private const string LaneProblem = """
        { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "The values are not valid", "status": 400,
          "detail": "batch.x0[2]: Expected a number, not a string.", "errors": { "batch.x0[2]": ["Expected a number, not a string."] } }
        """;

    private const string NonFiniteSample = """
        { "type": "https://tools.ietf.org/html/rfc4918#section-11.2", "title": "The graph has a non-finite result", "status": 422,
          "detail": "At sample 2 (the first point of the batch where it happens): Node 'log1' (log) has a non-finite value (NaN) in the forward pass; its inputs' values: [-1].",
          "node": "log1", "path": "nodes[1]", "op": "log", "pass": "forward", "inputValues": [-1], "sample": 2 }
        """;

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        switch (operation.OperationId)
        {
            case "RegisterGraph":
                AddRequestExamples(operation,
                    ("neuron", "The sigmoid neuron, its inputs' values as defaults", NeuronNodes),
                    ("neuron-no-defaults", "The sigmoid neuron as an expression without values: one id for every point", NeuronWithoutDefaults));
                AddResponseExamples(operation, "201", ("neuron", "The neuron registered", Registered));
                break;
            case "GetGraph":
                AddResponseExamples(operation, "200", ("neuron", "The neuron registered", Registered));
                AddResponseExamples(operation, "404", ("unknown", "Never registered, deleted, or dropped", NotFound));
                break;
            case "DeleteGraph":
                AddResponseExamples(operation, "404", ("unknown", "Never registered, deleted, or dropped", NotFound));
                break;
            case "EvaluateGraph":
                AddRequestExamples(operation,
                    ("point", "One point: the answer is /v1/evaluate's", Point),
                    ("batch-mean", "A batch of 4 points, the mean grads of the weights (a training step)", BatchMean));
                AddResponseExamples(operation, "200", ("batch-mean", "The batch of 4 points, reduce=mean", BatchMeanAnswer));
                AddResponseExamples(operation, "400", ("ragged", "Arrays of unequal length", RaggedProblem), ("lane", "A lane that is not a number", LaneProblem));
                AddResponseExamples(operation, "404", ("unknown", "Never registered, deleted, or dropped", NotFound));
                AddResponseExamples(operation, "422", ("log", "log of a negative at the third point", NonFiniteSample));
                Describe(operation, "mode", "training (default): values and grads; inference: forward only, values only.", "training", "inference");
                break;
        }
        if (operation.Parameters?.FirstOrDefault(p => p.Name == "id") is OpenApiParameter id)
            id.Description = "The graph's id as POST /v1/graphs answered it: 'sha256:' and 64 lowercase hex digits.";
    }
}
