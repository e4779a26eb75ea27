using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace GradApi.Validation;

/// <summary>
/// Answers 400 to a query parameter the endpoint does not take, naming it: <c>?mdoe=inference</c> would otherwise be
/// ignored and the graph trained instead of run for inference. What an endpoint takes is read once, from the
/// parameters its handler declares (the metadata the framework's parameter binding leaves on every minimal-API
/// endpoint), so an endpoint added later is covered without a list to keep in step. A request without a query
/// string, as most are, costs one check.
/// </summary>
internal sealed class UnknownQueryParameters(RequestDelegate next)
{
    private readonly ConcurrentDictionary<Endpoint, QueryParameters> _byEndpoint = new();

    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.QueryString.HasValue || context.GetEndpoint() is not { } endpoint) return next(context);
        QueryParameters known = _byEndpoint.GetOrAdd(endpoint, QueryParameters.Of);
        if (known.Names is null) return next(context);

        List<string>? unknown = null;
        foreach (string name in context.Request.Query.Keys)
            if (!known.Names.Contains(name)) (unknown ??= []).Add(name);
        return unknown is null ? next(context) : Refuse(context, unknown, known);
    }

    private static Task Refuse(HttpContext context, List<string> unknown, QueryParameters known)
    {
        string takes = known.InOrder.Length == 0
            ? "This endpoint takes no query parameters."
            : $"This endpoint takes: {string.Join(", ", known.InOrder)}.";
        var errors = unknown.ToDictionary(name => name, _ => new[] { $"Unknown query parameter. {takes}" });
        string names = string.Join(", ", unknown.Select(name => $"'{name}'"));
        return TypedResults.ValidationProblem(errors, title: "The request is not valid",
            detail: $"Unknown query parameter{(unknown.Count > 1 ? "s" : "")} {names}. {takes}").ExecuteAsync(context);
    }

    /// <summary>The query parameters an endpoint's handler declares; no <see cref="Names"/> for an endpoint that is not a handler.</summary>
    private sealed record QueryParameters(FrozenSet<string>? Names, string[] InOrder)
    {
        public static QueryParameters Of(Endpoint endpoint)
        {
            // Route handlers carry their MethodInfo; health checks, the 405 endpoint and the like do not.
            if (endpoint.Metadata.GetMetadata<MethodInfo>() is null) return new(null, []);
            var route = (endpoint as RouteEndpoint)?.RoutePattern.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
            string[] names = endpoint.Metadata.GetOrderedMetadata<IParameterBindingMetadata>()
                .Select(parameter => QueryName(parameter, route))
                .OfType<string>()
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToArray();
            // Query keys bind whatever their case, so they are known whatever their case.
            return new(names.ToFrozenSet(StringComparer.OrdinalIgnoreCase), names);
        }

        /// <summary>
        /// The query key a parameter binds from: the name its [FromQuery] gives, or its own name for a parameter of a
        /// simple type that no other source claims (the framework's rule); null for a body, a service, a header, a route value.
        /// </summary>
        private static string? QueryName(IParameterBindingMetadata parameter, HashSet<string> route)
        {
            object[] attributes = parameter.ParameterInfo.GetCustomAttributes(inherit: true);
            if (attributes.OfType<IFromQueryMetadata>().FirstOrDefault() is { } fromQuery) return fromQuery.Name ?? parameter.Name;
            bool elsewhere = attributes.Any(a => a is IFromRouteMetadata or IFromBodyMetadata or IFromServiceMetadata
                or IFromHeaderMetadata or IFromFormMetadata or AsParametersAttribute);
            if (elsewhere || parameter.HasBindAsync || route.Contains(parameter.Name)) return null;
            Type type = parameter.ParameterInfo.ParameterType;
            Type element = type.IsArray ? type.GetElementType()! : type;
            return parameter.HasTryParse || element == typeof(string) ? parameter.Name : null;
        }
    }
}
