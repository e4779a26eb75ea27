using System.Text.Json;
using GradApi.Engine.Evaluation;
using GradApi.Evaluate;

namespace GradApi.CompiledGraphs;

// The wire shapes of docs/api.md section 5, for the OpenAPI document and for clients in .NET.
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

/// <summary>
/// The answer to an evaluation of a registered graph. One point: what /v1/evaluate answers (value, nodes in training,
/// stats). A batch: columnar, one array per node (size, values, grads in training).
/// </summary>
/// <param name="Mode">training or inference.</param>
/// <param name="Output">The output's id.</param>
/// <param name="Value">One point: the output's value.</param>
/// <param name="Nodes">One point, training: every node in the graph's order with its value and grad.</param>
/// <param name="Stats">One point: the engine's footprint.</param>
/// <param name="Size">Batch: B, the number of points.</param>
/// <param name="Values">Batch: the output's value at each point.</param>
/// <param name="Grads">Batch, training: for each node asked for, its grad at each point (B numbers), or with reduce sum/mean one number.</param>
public sealed record GraphEvaluateResponse(string Mode, string Output, double? Value = null, IReadOnlyList<NodeResult>? Nodes = null,
    EvaluationStats? Stats = null, int? Size = null, IReadOnlyList<double>? Values = null,
    IReadOnlyDictionary<string, JsonElement>? Grads = null);
