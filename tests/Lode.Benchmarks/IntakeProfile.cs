using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Lode.Ingestion.Queue;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Lode.Benchmarks;

/// <summary>
/// Where one webhook request's time goes inside the app: the time the server spent on it (from the first middleware
/// to the end of the response, recorded by <see cref="ServerTimeFilter"/>) and, from the writer's own metrics
/// (<see cref="GroupCommitMetrics"/>), how long it waited for a commit, how long commits took and how many requests
/// each carried. The rest of the latency a sender sees is Kestrel's connection handling, the client and the loopback.
/// </summary>
internal sealed class IntakeProfile : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<double> _serverMs = new();
    private readonly ConcurrentQueue<double> _queuedMs = new();
    private readonly ConcurrentQueue<double> _commitMs = new();
    private readonly ConcurrentQueue<int> _requestsPerCommit = new();

    public IntakeProfile()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name is GroupCommitMetrics.RequestsPerCommitName or GroupCommitMetrics.CommitDurationName
                or GroupCommitMetrics.QueuedDurationName)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (IsOurs(instrument)) _requestsPerCommit.Enqueue(value);
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            if (IsOurs(instrument)) (instrument.Name == GroupCommitMetrics.CommitDurationName ? _commitMs : _queuedMs).Enqueue(value * 1000);
        });
        _listener.Start();
    }

    /// <summary>The meter factory of the app profiled: every app in this process has its own writer on the same meter name.</summary>
    public IMeterFactory? Scope { get; set; }

    /// <summary>Registers with an app (through its services) to time every request it serves.</summary>
    public IStartupFilter ServerTimer => new ServerTimeFilter(_serverMs);

    public void Reset()
    {
        _serverMs.Clear();
        _queuedMs.Clear();
        _commitMs.Clear();
        _requestsPerCommit.Clear();
    }

    /// <summary>What was recorded since the last <see cref="Reset"/>.</summary>
    public Breakdown Take() => new([.. _serverMs], [.. _queuedMs], [.. _commitMs], [.. _requestsPerCommit]);

    public void Dispose() => _listener.Dispose();

    private bool IsOurs(Instrument instrument) => Scope is not null && ReferenceEquals(instrument.Meter.Scope, Scope);

    internal sealed record Breakdown(List<double> ServerMs, List<double> QueuedMs, List<double> CommitMs, List<int> RequestsPerCommit)
    {
        public double MeanRequestsPerCommit => RequestsPerCommit.Count == 0 ? 0 : RequestsPerCommit.Average();

        /// <summary>Commits by how many requests they carried: 1, 2, 3–4, 5–8, 9–16, more.</summary>
        public string Distribution()
        {
            (string Label, int Low, int High)[] bins = [("1", 1, 1), ("2", 2, 2), ("3-4", 3, 4), ("5-8", 5, 8), ("9-16", 9, 16), (">16", 17, int.MaxValue)];
            var total = Math.Max(1, RequestsPerCommit.Count);
            return string.Join(", ", bins.Select(b =>
                $"{b.Label}: {100.0 * RequestsPerCommit.Count(n => n >= b.Low && n <= b.High) / total:F0}%"));
        }
    }

    // First in the pipeline: the server's whole handling of a request, routing and authentication included.
    private sealed class ServerTimeFilter(ConcurrentQueue<double> serverMs) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (HttpContext context, RequestDelegate inner) =>
            {
                var started = Stopwatch.GetTimestamp();
                await inner(context);
                serverMs.Enqueue(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            });
            next(app);
        };
    }
}
