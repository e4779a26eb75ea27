using System.Text.Json.Nodes;

namespace GradApi.Tests.OpenApi;

/// <summary>
/// The calls that exercise every operation of a document, from what the document says: each request example of its
/// body, and each value of each enum query option (with the first example). Operations with path parameters come
/// after the others and take their values from the members of earlier answers of the same name (a registered
/// graph's <c>id</c>), and DELETEs come last. An operation that cannot be called so is listed in
/// <see cref="NotCalled"/>, saying what it lacks.
/// </summary>
internal sealed class OperationPlan(IReadOnlyList<DocumentOperation> operations)
{
    private readonly Dictionary<string, string> _known = [];
    private readonly HashSet<DocumentOperation> _answered = [];
    private readonly List<string> _cannotCall = [];

    public IReadOnlyList<string> NotCalled =>
        [.. _cannotCall, .. operations.Where(o => !_answered.Contains(o) && !_cannotCall.Any(c => c.StartsWith(o.ToString(), StringComparison.Ordinal)))
            .Select(o => $"{o} was not called")];

    public IEnumerable<(DocumentOperation Operation, IReadOnlyDictionary<string, string?> Arguments)> Calls()
    {
        IEnumerable<DocumentOperation> ordered = operations
            .OrderBy(o => o.Method == "delete")
            .ThenBy(o => o.PathParameters.Any());
        foreach (DocumentOperation operation in ordered)
        {
            if (operation.HasBody && operation.BodyExamples.Count == 0)
            {
                _cannotCall.Add($"{operation} has a request body but no example to send: add one to the document");
                continue;
            }
            var path = new Dictionary<string, string?>();
            foreach (string name in operation.PathParameters)
            {
                if (!_known.TryGetValue(name, out string? value))
                {
                    _cannotCall.Add($"{operation} needs {{{name}}}, which no earlier answer carried");
                    goto next;
                }
                path[name] = value;
            }

            IReadOnlyList<string?> bodies = operation.HasBody ? operation.BodyExamples.Select(e => (string?)e.Json).ToList() : [null];
            foreach (string? body in bodies)
                yield return (operation, With(path, ("body", body)));
            foreach (JsonObject option in operation.Parameters.Where(p => (string)p["in"]! == "query" && p["schema"]?["enum"] is not null))
                foreach (string value in option["schema"]!["enum"]!.AsArray().Select(v => (string)v!).Skip(1))
                    yield return (operation, With(path, ("body", bodies[0]), ((string)option["name"]!, value)));
            next:;
        }
    }

    /// <summary>Keeps the string members of a JSON object answer, for the path parameters of later operations.</summary>
    public void Answered(DocumentOperation operation, Exchange exchange)
    {
        _answered.Add(operation);
        if (exchange.ContentType?.Contains("json", StringComparison.Ordinal) != true || JsonNode.Parse(exchange.Answer) is not JsonObject answer) return;
        foreach ((string name, JsonNode? value) in answer)
            if (value is JsonValue v && v.TryGetValue(out string? text)) _known[name] = text;
    }

    private static Dictionary<string, string?> With(Dictionary<string, string?> path, params (string Name, string? Value)[] more)
    {
        var arguments = new Dictionary<string, string?>(path);
        foreach ((string name, string? value) in more)
            if (value is not null) arguments[name] = value;
        return arguments;
    }
}
