using System.Reflection;
using System.Text.Json;
using GradApi.Evaluate;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace GradApi.OpenApi;

/// <summary>
/// Makes the schemas of the service's own wire shapes say what the wire does: the reader refuses null in a request
/// and an answer leaves out what it does not carry, so no member is nullable except the numbers marked
/// <see cref="NullWhenNotFiniteAttribute"/>. Optional members stay optional (not in <c>required</c>); only their
/// <c>nullable</c> goes, so that a generated client leaves them out instead of sending a null the service refuses.
/// </summary>
internal sealed class WireNullabilityFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (context.Type.Assembly != typeof(WireNullabilityFilter).Assembly
            || schema is not OpenApiSchema { Properties: { Count: > 0 } properties }) return;
        foreach (PropertyInfo member in context.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (member.IsDefined(typeof(NullWhenNotFiniteAttribute))
                || !properties.TryGetValue(JsonNamingPolicy.CamelCase.ConvertName(member.Name), out IOpenApiSchema? property)
                || property is not OpenApiSchema { Type: { } type } concrete) continue;
            concrete.Type = type & ~JsonSchemaType.Null;
        }
    }
}
