using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace GradApi.Observability.Logs;

/// <summary>
/// The console logger, with the framework's formatters and settings (<c>Logging:Console</c>: <c>FormatterName</c>,
/// <c>FormatterOptions</c>, <c>LogLevel</c>, <c>QueueFullMode</c>), writing its lines to standard output in batches
/// (see <see cref="LogLineWriter"/>): a line is formatted on the caller's thread, as the framework's does, and
/// written by the writer's thread at most <see cref="LogLineWriter.Interval"/> later; errors at once. Every line goes
/// to standard output (the framework's <c>LogToStandardErrorThreshold</c> is not followed, nor <c>MaxQueueLength</c>:
/// the bound is <see cref="LogLineWriter.MaxPendingChars"/>), as raw UTF-8 to the stream, not through
/// <see cref="Console.Out"/>. A code filter keyed on the framework's provider type does not apply; the settings'
/// <c>Logging:Console:LogLevel</c> does, through the alias.
/// </summary>
[ProviderAlias("Console")]
internal sealed class BatchedConsoleLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly Dictionary<string, ConsoleFormatter> _formatters;
    private readonly IDisposable? _onChange;
    private readonly LogLineWriter _writer;
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public BatchedConsoleLoggerProvider(IOptionsMonitor<ConsoleLoggerOptions> options, IEnumerable<ConsoleFormatter> formatters)
        : this(options, formatters, new LogLineWriter(Console.OpenStandardOutput()))
    {
    }

    internal BatchedConsoleLoggerProvider(IOptionsMonitor<ConsoleLoggerOptions> options, IEnumerable<ConsoleFormatter> formatters, LogLineWriter writer)
    {
        _formatters = formatters.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
        _writer = writer;
        Configure(options.CurrentValue);
        _onChange = options.OnChange(Configure);
    }

    internal ConsoleFormatter Formatter { get; private set; } = null!;

    internal bool DropWhenFull { get; private set; }

    internal IExternalScopeProvider Scopes => _scopes;

    internal LogLineWriter Writer => _writer;

    /// <summary>The formatter named by the settings; the simple one, as the framework's, when none is or the name is unknown.</summary>
    private void Configure(ConsoleLoggerOptions options)
    {
        Formatter = options.FormatterName is { } name && _formatters.TryGetValue(name, out ConsoleFormatter? named)
            ? named
            : _formatters[ConsoleFormatterNames.Simple];
        DropWhenFull = options.QueueFullMode == ConsoleLoggerQueueFullMode.DropWrite;
    }

    public ILogger CreateLogger(string categoryName) => new BatchedConsoleLogger(categoryName, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
        _onChange?.Dispose();
        _writer.Dispose();
    }
}

/// <summary>One category's logger of <see cref="BatchedConsoleLoggerProvider"/>.</summary>
internal sealed class BatchedConsoleLogger(string category, BatchedConsoleLoggerProvider provider) : ILogger
{
    /// <summary>Each thread formats into its own buffer, which the writer copies from.</summary>
    [ThreadStatic]
    private static StringWriter? t_buffer;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider.Scopes.Push(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        StringWriter buffer = t_buffer ??= new StringWriter();
        StringBuilder line = buffer.GetStringBuilder();
        try
        {
            var entry = new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter);
            provider.Formatter.Write(in entry, provider.Scopes, buffer);
            if (line.Length > 0) provider.Writer.Append(line, urgent: logLevel >= LogLevel.Error, provider.DropWhenFull);
        }
        finally
        {
            line.Clear();
            // A line with a long stack trace does not keep its memory on the thread.
            if (line.Capacity > 64 * 1024) t_buffer = null;
        }
    }
}
