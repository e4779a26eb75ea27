using FluentValidation;

namespace GradApi.Validation;

/// <summary>
/// Runs the FluentValidation validator of every handler argument that has one, and answers a
/// validation problem (400) instead of calling the handler when any fails. Which arguments to
/// validate is worked out once per endpoint, when it is built.
/// </summary>
internal static class ValidationFilter
{
    public static TBuilder WithValidation<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((factory, next) =>
        {
            var validated = factory.MethodInfo.GetParameters()
                .Select((parameter, index) => (index, validator: factory.ApplicationServices.GetService(
                    typeof(IValidator<>).MakeGenericType(parameter.ParameterType)) as IValidator))
                .Where(p => p.validator is not null)
                .ToArray();
            if (validated.Length == 0) return next;

            return async context =>
            {
                foreach ((int index, IValidator? validator) in validated)
                {
                    object? argument = context.Arguments[index];
                    if (argument is null) continue;
                    var result = await validator!.ValidateAsync(new ValidationContext<object>(argument), context.HttpContext.RequestAborted);
                    if (!result.IsValid)
                        return TypedResults.ValidationProblem(result.ToDictionary(), title: "The request is not valid",
                            detail: string.Join(" ", result.Errors.Select(e => e.ErrorMessage)));
                }
                return await next(context);
            };
        });
}
