using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Console;

namespace GradApi.Observability.Logs;

internal static class LoggingSetup
{
    /// <summary>
    /// Console logs through <see cref="BatchedConsoleLoggerProvider"/> in place of the framework's console logger,
    /// keeping the framework's formatters and the binding of their settings.
    /// </summary>
    public static ILoggingBuilder AddBatchedConsole(this ILoggingBuilder logging)
    {
        logging.AddConsole();
        logging.Services.RemoveProvider(typeof(ConsoleLoggerProvider));
        logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, BatchedConsoleLoggerProvider>());
        return logging;
    }

    private static void RemoveProvider(this IServiceCollection services, Type implementation)
    {
        for (int i = services.Count - 1; i >= 0; i--)
            if (services[i].ServiceType == typeof(ILoggerProvider) && services[i].ImplementationType == implementation)
                services.RemoveAt(i);
    }
}
