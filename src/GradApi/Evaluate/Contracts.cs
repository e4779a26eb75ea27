using System.ComponentModel;
using GradApi.Engine.Evaluation;

namespace GradApi.Evaluate;

// The wire shapes of docs/api.md, for the OpenAPI document and for clients in .NET.
// The service reads and writes them with its own streaming reader and writer. It refuses null in a request and
// leaves out an absent member of an answer, so no member may be null on the wire except those marked
// [NullWhenNotFinite] (see OpenApi/WireNullabilityFilter.cs).

/// <summary>A computational graph, as nodes or as an expression, and the node to differentiate.</summary>
/// <param name="Nodes">The graph, a DAG. A node may name an input that comes later in the array. Not with an expression.</param>
/// <param name="Output">The node backward differentiates; optional when the graph has exactly one sink (an expression's is its root).</param>
/// <param name="Seed">The upstream gradient at the output (default 1).</param>
/// <param name="Expression">Instead of nodes: numbers, names, + - * / ^, parentheses and calls of any op, e.g. "sigmoid(w0*x0 + w1*x1 + w2)".</param>
/// <param name="Inputs">The value of each name in the expression; every entry must be used.</param>
public sealed record EvaluateRequest(IReadOnlyList<NodeSpec>? Nodes = null, string? Output = null, [property: DefaultValue(1.0)] double? Seed = null,
    string? Expression = null, IReadOnlyDictionary<string, double>? Inputs = null);

/// <summary>The checked graph a body becomes.</summary>
/// <param name="Nodes">Every node, in the order of the request (for an expression, the order they were made).</param>
/// <param name="Output">The node backward would differentiate.</param>
/// <param name="Seed">The upstream gradient at the output, when the body set one other than 1.</param>
public sealed record ParseResponse(IReadOnlyList<NodeSpec> Nodes, string Output, [property: DefaultValue(1.0)] double? Seed = null);

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
/// <param name="Backward">With explain=true: every chain-rule step of the backward pass, in the order it ran.</param>
/// <param name="Gradcheck">With check=numeric: the leaves' grads against central differences.</param>
public sealed record EvaluateResponse(string Mode, string Output, double Value, EvaluationStats Stats,
    IReadOnlyList<NodeResult>? Nodes = null, IReadOnlyList<BackwardStepResult>? Backward = null, GradcheckResult? Gradcheck = null);

/// <summary>One step of the chain rule: grad flows from node to input as upstream * local.</summary>
/// <param name="Node">The gate the gradient flows back through.</param>
/// <param name="Input">The input it flows to.</param>
/// <param name="Local">d node / d input (null if not finite, which happens only where upstream is 0).</param>
/// <param name="Upstream">d output / d node.</param>
/// <param name="Product">upstream * local: this branch's share of the input's grad.</param>
public sealed record BackwardStepResult(string Node, string Input, [property: NullWhenNotFinite] double? Local, double Upstream, double Product);

/// <summary>The analytic gradients of the input leaves against central finite differences.</summary>
/// <param name="Eps">The step of the central differences (1e-6).</param>
/// <param name="Atol">Absolute tolerance (1e-5).</param>
/// <param name="Rtol">Relative tolerance (1e-3): a leaf passes when |analytic - numeric| &lt;= atol + rtol * |numeric|.</param>
/// <param name="Passed">Whether every leaf (or the direction) passed.</param>
/// <param name="Leaves">Each input leaf's check (method "leaves").</param>
/// <param name="Direction">The directional check (method "direction").</param>
/// <param name="Method">"leaves": each leaf on its own; "direction": one random direction through all leaves (many leaves).</param>
/// <param name="Kinks">Nodes evaluated at a non-differentiable point (relu or abs at 0, a max/min tie): a mismatch there is expected.</param>
public sealed record GradcheckResult(double Eps, double Atol, double Rtol, bool Passed, string Method,
    IReadOnlyList<LeafCheckResult> Leaves, IReadOnlyList<KinkResult> Kinks, DirectionCheckResult? Direction = null);

/// <summary>One leaf's analytic grad against its central difference (numeric null if a perturbed pass was not finite).</summary>
public sealed record LeafCheckResult(string Id, double Analytic, [property: NullWhenNotFinite] double? Numeric,
    [property: NullWhenNotFinite] double? AbsError, bool Passed);

/// <summary>The directional derivative against its central difference.</summary>
public sealed record DirectionCheckResult(double Analytic, [property: NullWhenNotFinite] double? Numeric,
    [property: NullWhenNotFinite] double? AbsError, bool Passed);

/// <summary>A node evaluated at a non-differentiable point.</summary>
public sealed record KinkResult(string Id, string Op);

/// <summary>A node's forward value and its gradient d output / d node.</summary>
public sealed record NodeResult(string Id, string Op, double Value, double Grad, string? Label = null);

/// <summary>One op of the op table.</summary>
/// <param name="Name">The op's name in a node's "op".</param>
/// <param name="Arity">How many inputs: "0", "1", "2" or ">= 2".</param>
/// <param name="Forward">What the gate computes.</param>
/// <param name="LocalGradient">d output / d input for each input.</param>
public sealed record OpDescription(string Name, string Arity, string Forward, string LocalGradient);

/// <summary>
/// A number of an answer that is written as null where it is not finite (JSON has no NaN or infinity); every other
/// member of the wire shapes is left out when absent and is never null.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NullWhenNotFiniteAttribute : Attribute;
