using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GradApi.Problems;

/// <summary>Problem documents for every non-2xx answer, whatever the client accepts.</summary>
internal static class ProblemSetup
{
    /// <summary>
    /// <see cref="ProblemJsonWriter"/> first, then the framework's problem services (whose own writer, registered
    /// after it, is never reached), the exception handler, and the details the framework leaves out.
    /// </summary>
    public static IServiceCollection AddGradApiProblems(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, ProblemJsonWriter>());
        services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemDefaults.Explain);
        services.AddExceptionHandler<ProblemExceptionHandler>();
        return services;
    }
}
