using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Marketplace.Tests.Support;

/// <summary>
/// A logger provider that counts what the site writes (lines, characters, exceptions) so a test can bound the log
/// volume a hostile client causes.
/// </summary>
public sealed class LogVolume : ILoggerProvider
{
    private long _characters;
    private long _lines;
    private long _exceptions;
    private readonly ConcurrentQueue<string> _entries = new();

    public long Characters => Interlocked.Read(ref _characters);
    public long Lines => Interlocked.Read(ref _lines);

    /// <summary>Entries logged with an exception (each one a stack trace in a real log).</summary>
    public long Exceptions => Interlocked.Read(ref _exceptions);
    public IReadOnlyCollection<string> Entries => _entries;

    public void Reset()
    {
        Interlocked.Exchange(ref _characters, 0);
        Interlocked.Exchange(ref _lines, 0);
        Interlocked.Exchange(ref _exceptions, 0);
        _entries.Clear();
    }

    public ILogger CreateLogger(string categoryName) => new Counter(this, categoryName);

    public void Dispose() { }

    private sealed class Counter(LogVolume volume, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // What a console logger would write: level, category, message, then the exception with its stack trace.
            var text = $"{logLevel}: {category}[{eventId.Id}] {formatter(state, exception)}";
            if (exception is not null)
            {
                text += Environment.NewLine + exception;
                Interlocked.Increment(ref volume._exceptions);
            }
            Interlocked.Add(ref volume._characters, text.Length);
            Interlocked.Add(ref volume._lines, text.Split('\n').Length);
            volume._entries.Enqueue(text);
        }
    }
}
