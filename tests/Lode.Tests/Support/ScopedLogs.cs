using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Lode.Tests.Support;

/// <summary>One log record with the values of the scopes it was written in (e.g. <c>TraceId</c>).</summary>
public sealed record ScopedLogEntry(string Category, string Message, IReadOnlyDictionary<string, object?> Scope);

/// <summary>
/// A logger provider that sees scopes the way the console's JSON formatter does (through the logger factory's scope
/// provider, which also carries the activity tracking values), and keeps every record with its scope values.
/// </summary>
public sealed class ScopedLogs : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<ScopedLogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(ScopedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => logs._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = new Dictionary<string, object?>();
            logs._scopes.ForEachScope((scope, into) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var (key, value) in pairs) into[key] = value;
                }
            }, values);
            logs.Entries.Enqueue(new ScopedLogEntry(category, formatter(state, exception), values));
        }
    }
}
