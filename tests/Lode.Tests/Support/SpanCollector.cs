using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;

namespace Lode.Tests.Support;

/// <summary>
/// Keeps every span the app ends, in the app's own tracer provider (added with ConfigureOpenTelemetryTracerProvider),
/// so tests see exactly what an exporter would be given.
/// </summary>
public sealed class SpanCollector : BaseProcessor<Activity>
{
    private readonly ConcurrentQueue<Activity> _ended = new();

    public IReadOnlyList<Activity> Ended => [.. _ended];

    public override void OnEnd(Activity data) => _ended.Enqueue(data);

    /// <summary>Polls until a span matches (spans end on other threads, after the response may have been sent).</summary>
    public async Task<Activity> WaitForAsync(Func<Activity, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (Ended.FirstOrDefault(match) is { } found) return found;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"No matching span; ended: {string.Join(", ", Ended.Select(a => a.DisplayName))}");
            await Task.Delay(50);
        }
    }
}
