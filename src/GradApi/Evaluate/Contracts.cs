using GradApi.Engine.Evaluation;

namespace GradApi.Evaluate;

// The wire shapes of ../shared/API.md, for the OpenAPI document and for clients in .NET.
// The service reads and writes them with its own streaming reader and writer.

/// <summary>A computational graph: nodes in any order, and the node to differentiate.</summary>
/// <param name="Nodes">The graph, a DAG. A node may name an input that comes later in the array.</param>
/// <param name="Output">The node backward differentiates; optional when the graph has exactly one sink.</param>
/// <param name="Seed">The upstream gradient at the output (default 1).</param>
public sealed record EvaluateRequest(IReadOnlyList<NodeSpec> Nodes, string? Output = null, double? Seed = null);

/// <summary>One gate or leaf of the graph.</summary>
/// <param name="Id">Non-empty and unique in the graph.</param>
/// <param name="Op">One of the ops of GET /v1/ops.</param>
/// <param name="Value">The value of a leaf (input or const); absent on every other op.</param>
/// <param name="Inputs">The ids of the gate's inputs, in order; absent on leaves.</param>
/// <param name="Label">A free text shown with the node (expressions give each node its subexpression).</param>
public sealed record NodeSpec(string Id, string Op, double? Value = null, IReadOnlyList<string>? Inputs = null, string? Label = null);

/// <summary>The result of an evaluation.</summary>
/// <param name="Mode">training or inference.</param>
/// <param name="Output">The id of the output node.</param>
/// <param name="Value">The output's value.</param>
/// <param name="Nodes">Training only: every node in the request's order with its value and grad.</param>
/// <param name="Stats">The engine's footprint for this request.</param>
public sealed record EvaluateResponse(string Mode, string Output, double Value, IReadOnlyList<NodeResult>? Nodes, EvaluationStats Stats);

/// <summary>A node's forward value and its gradient d output / d node.</summary>
public sealed record NodeResult(string Id, string Op, double Value, double Grad, string? Label = null);

/// <summary>One op of the op table.</summary>
/// <param name="Name">The op's name in a node's "op".</param>
/// <param name="Arity">How many inputs: "0", "1", "2" or ">= 2".</param>
/// <param name="Forward">What the gate computes.</param>
/// <param name="LocalGradient">d output / d input for each input.</param>
public sealed record OpDescription(string Name, string Arity, string Forward, string LocalGradient);
