using FluentValidation;

namespace GradApi.Validation;

/// <summary>
/// Runs the FluentValidation validator of every handler argument that has one, and answers a
/// validation problem (400) instead of calling the handler when any fails. Which arguments to
/// validate is worked out once per endpoint, when it is built. A validator that is an
/// <see cref="IQuickCheck"/> is skipped for an argument it can vouch for, so a plain request calls the
/// handler straight away, with no rule run and nothing allocated.
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
                .Select(p => new Validated(p.index, p.validator!))
                .ToArray();
            if (validated.Length == 0) return next;

            return context =>
            {
                foreach (Validated v in validated)
                {
                    if (!v.SurelyValid(context.Arguments[v.Index]))
                        return ValidateAsync(validated, context, next);
                }
                return next(context);
            };
        });

    private static async ValueTask<object?> ValidateAsync(Validated[] validated, EndpointFilterInvocationContext context,
        EndpointFilterDelegate next)
    {
        foreach (Validated v in validated)
        {
            object? argument = context.Arguments[v.Index];
            if (argument is null) continue;
            var result = await v.Validator.ValidateAsync(new ValidationContext<object>(argument), context.HttpContext.RequestAborted);
            if (!result.IsValid)
                return TypedResults.ValidationProblem(result.ToDictionary(), title: "The request is not valid",
                    detail: string.Join(" ", result.Errors.Select(e => e.ErrorMessage)));
        }
        return await next(context);
    }

    /// <summary>A handler argument, by position, and its validator.</summary>
    private sealed record Validated(int Index, IValidator Validator)
    {
        private readonly IQuickCheck? _quick = Validator as IQuickCheck;

        /// <summary>Nothing to validate, or the validator vouches for the argument without running its rules.</summary>
        public bool SurelyValid(object? argument) => argument is null || _quick?.SurelyValid(argument) == true;
    }
}
