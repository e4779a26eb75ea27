namespace GradApi.Problems;

/// <summary>
/// An RFC 9457 problem document as the service writes it (application/problem+json): every error, whatever the
/// request's Accept header. Besides the standard members, each kind of problem says where it is with its own members.
/// </summary>
/// <remarks>The shape of the OpenAPI document's problems; the service writes them with the framework's ProblemDetails.</remarks>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Title">A short summary of the kind of problem.</param>
/// <param name="Type">A URI naming the kind of problem: the section of the RFC that defines the status.</param>
/// <param name="Detail">What is wrong with this request, and what to do about it.</param>
/// <param name="Instance">The request the problem is about.</param>
/// <param name="TraceId">The W3C trace id of the request, to find it in the service's logs.</param>
/// <param name="Errors">400: the messages, keyed by the JSON path they are about (nodes[3].inputs[1], expression, output, mode).</param>
/// <param name="ErrorCount">400 from the compiler: how many errors the graph has.</param>
/// <param name="ErrorsListed">400 from the compiler: how many of them errors lists, when that is fewer than errorCount.</param>
/// <param name="Cycle">400: the ids on a cycle, in order.</param>
/// <param name="Column">400 for an expression: the 1-based column of the first error.</param>
/// <param name="Node">422: the id of the first node whose value or grad is not finite.</param>
/// <param name="Path">422: that node's JSON path, nodes[i].</param>
/// <param name="Op">422: that node's op.</param>
/// <param name="Pass">422: forward or backward.</param>
/// <param name="Input">422 in the backward pass: the input whose grad is not finite.</param>
/// <param name="InputValues">422: the values of the node's inputs.</param>
public sealed record Problem(
    int Status,
    string Title,
    string? Type = null,
    string? Detail = null,
    string? Instance = null,
    string? TraceId = null,
    IReadOnlyDictionary<string, string[]>? Errors = null,
    int? ErrorCount = null,
    int? ErrorsListed = null,
    IReadOnlyList<string>? Cycle = null,
    int? Column = null,
    string? Node = null,
    string? Path = null,
    string? Op = null,
    string? Pass = null,
    string? Input = null,
    IReadOnlyList<double>? InputValues = null);
