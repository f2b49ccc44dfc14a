using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Monitor.TestKit.Logging;

/// <summary>One formatted log line as a console or journal would show it.</summary>
public sealed record CapturedLine(string Category, LogLevel Level, string Message)
{
    public override string ToString() => $"{Level} {Category}: {Message}";
}

/// <summary>
/// A real logger provider that keeps every formatted line, so tests can assert what a person reading
/// the log would see (which lines, how many of each), through the same ILogger calls production makes.
/// </summary>
public sealed class CapturedLog : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLine> _lines = new();

    public IReadOnlyList<CapturedLine> Lines => [.. _lines];

    /// <summary>A logger factory writing Information and above to this capture.</summary>
    public ILoggerFactory Factory(LogLevel minimum = LogLevel.Information) =>
        LoggerFactory.Create(builder => builder.SetMinimumLevel(minimum).AddProvider(this));

    /// <summary>Lines whose message contains every one of the fragments (ordinal, case-insensitive).</summary>
    public IReadOnlyList<CapturedLine> Matching(params string[] fragments) =>
        Lines.Where(l => fragments.All(f => l.Message.Contains(f, StringComparison.OrdinalIgnoreCase))).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<CapturedLine> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            if (exception is not null) message += $" ({exception.GetType().Name}: {exception.Message})";
            lines.Enqueue(new CapturedLine(category, logLevel, message));
        }
    }
}
