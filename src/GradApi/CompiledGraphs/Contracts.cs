using System.Text.Json;

namespace GradApi.CompiledGraphs;

// The wire shapes of ../shared/API.md section 5, for the OpenAPI document and for clients in .NET.
// Values are read and answers written by the service's own streaming reader and writers.

/// <summary>A registered graph.</summary>
/// <param name="Id">The content hash of the canonical graph: "sha256:" and 64 hex digits. The same graph gets the same id on any replica.</param>
/// <param name="Inputs">The ids of the input leaves, in the graph's order: the names an evaluation may give values to.</param>
/// <param name="Output">The node backward differentiates.</param>
/// <param name="Stats">The graph's size.</param>
/// <param name="Defaults">The inputs that have a default value (registered with a value), and that value; an input missing here must be given at each evaluation.</param>
public sealed record GraphResponse(string Id, IReadOnlyList<string> Inputs, string Output, GraphStats Stats,
    IReadOnlyDictionary<string, double> Defaults);

/// <summary>The size of a registered graph.</summary>
/// <param name="Nodes">Its nodes.</param>
/// <param name="Edges">Its edges: every input of every gate.</param>
public sealed record GraphStats(int Nodes, int Edges);

/// <summary>The values to evaluate a registered graph at: one point (inputs) or a batch of points (batch), not both.</summary>
/// <param name="Inputs">One point: a value for some input leaves; the others keep their defaults. The answer is exactly /v1/evaluate's.</param>
/// <param name="Batch">B points: each input leaf's B values as an array, or one number for every point; the arrays must all have B numbers.</param>
/// <param name="Grads">Batch, training: the nodes whose grads to answer (any node id); every input leaf when absent.</param>
/// <param name="Reduce">Batch, training: "none" (default) answers B grads per node; "sum" or "mean" one number per node, the batch's summed or mean grad.</param>
public sealed record GraphEvaluateRequest(IReadOnlyDictionary<string, double>? Inputs = null,
    IReadOnlyDictionary<string, JsonElement>? Batch = null, IReadOnlyList<string>? Grads = null, string? Reduce = null);

/// <summary>The answer to a batch: columnar, one array per node.</summary>
/// <param name="Mode">training or inference.</param>
/// <param name="Output">The output's id.</param>
/// <param name="Size">B, the number of points.</param>
/// <param name="Values">The output's value at each point.</param>
/// <param name="Grads">Training only: for each node asked for, its grad at each point (B numbers), or with reduce sum/mean one number.</param>
public sealed record BatchResponse(string Mode, string Output, int Size, IReadOnlyList<double> Values,
    IReadOnlyDictionary<string, JsonElement>? Grads = null);
