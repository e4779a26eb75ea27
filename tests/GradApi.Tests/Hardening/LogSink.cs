using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace GradApi.Tests.Hardening;

/// <summary>Keeps every log entry of a test server, to look for one or to check that a secret is in none.</summary>
internal sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public sealed record Entry(string Category, LogLevel Level, int EventId, string Message, Exception? Exception,
        IReadOnlyDictionary<string, object?> State);

    public IReadOnlyCollection<Entry> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    /// <summary>The first entry that matches, once it has been written; fails after <paramref name="seconds"/>.</summary>
    public async Task<Entry> WaitFor(Func<Entry, bool> match, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            if (_entries.FirstOrDefault(match) is { } entry) return entry;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No log entry for {what} in {seconds} s.");
            await Task.Delay(50);
        }
    }

    /// <summary>Everything written, as text: messages, state values and exceptions.</summary>
    public string AllText() => string.Join('\n', _entries.Select(e =>
        $"{e.Category} {e.Message} {string.Join(' ', e.State.Values)} {e.Exception}"));

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.First().Value)
                : new Dictionary<string, object?>();
            sink._entries.Enqueue(new Entry(category, logLevel, eventId.Id, formatter(state, exception), exception, values));
        }
    }
}
