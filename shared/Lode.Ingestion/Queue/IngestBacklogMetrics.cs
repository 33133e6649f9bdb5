using System.Diagnostics.Metrics;
using Lode.Database;
using Lode.Ingestion.Pipeline;
using Microsoft.Extensions.Logging;

namespace Lode.Ingestion.Queue;

/// <summary>
/// Gauges of the ingestion backlog on meter <c>Lode.Ingestion</c>: jobs in the queue, the age of the oldest, and
/// documents by status. They are read from PostgreSQL when a scrape or an export asks, at most once per
/// <c>refreshEvery</c>: readings in between reuse the last one, so any number of scrapers and exporters cost two small
/// queries per period and process. When the database cannot be read the gauges report nothing (the series go stale),
/// rather than an old number that looks current.
/// </summary>
public sealed class IngestBacklogMetrics : IDisposable
{
    /// <summary>Gauge of jobs waiting or being worked on.</summary>
    public const string QueueDepthName = "lode.ingest.queue.depth";

    /// <summary>Gauge (seconds) of how long the oldest job in the queue has waited; 0 when the queue is empty.</summary>
    public const string QueueOldestAgeName = "lode.ingest.queue.oldest_age";

    /// <summary>Gauge of documents, tagged <c>status</c>: pending, indexed, failed.</summary>
    public const string DocumentsName = "lode.documents";

    // A collection that waits on the database holds up the scrape; past this it reports nothing instead.
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);
    private static readonly string[] KnownStatuses = [DocumentStatus.Pending, DocumentStatus.Indexed, DocumentStatus.Failed];

    private readonly JobQueue _queue;
    private readonly DocumentRepository _documents;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _refreshEvery;
    private readonly ILogger _logger;
    private readonly Meter? _ownMeter;
    private readonly Lock _gate = new();
    private Backlog? _reading;
    private DateTimeOffset? _readAt;
    private bool _failing;

    public IngestBacklogMetrics(JobQueue queue, DocumentRepository documents, TimeProvider clock, TimeSpan refreshEvery,
        ILogger<IngestBacklogMetrics> logger, IMeterFactory? meterFactory = null)
    {
        (_queue, _documents, _clock, _refreshEvery, _logger) = (queue, documents, clock, refreshEvery, logger);
        var meter = meterFactory?.Create(IngestMetrics.MeterName) ?? (_ownMeter = new Meter(IngestMetrics.MeterName));
        meter.CreateObservableGauge<long>(QueueDepthName, () => Read() is { } b ? [new Measurement<long>(b.QueuedJobs)] : [],
            unit: "{job}", description: "Ingest jobs in the queue, waiting or being worked on.");
        meter.CreateObservableGauge<double>(QueueOldestAgeName, () => Read() is { } b ? [new Measurement<double>(b.OldestJobAge.TotalSeconds)] : [],
            unit: "s", description: "How long the oldest job in the ingest queue has been there; 0 when the queue is empty.");
        meter.CreateObservableGauge(DocumentsName, ReadDocuments, unit: "{document}", description: "Documents in the index, by status.");
    }

    public void Dispose() => _ownMeter?.Dispose();

    private IEnumerable<Measurement<long>> ReadDocuments()
    {
        if (Read() is not { } backlog) return [];
        // Every known status is reported, 0 included, so a series does not vanish when its last document changes status.
        return KnownStatuses.Union(backlog.DocumentsByStatus.Keys)
            .Select(status => new Measurement<long>(backlog.DocumentsByStatus.GetValueOrDefault(status),
                new KeyValuePair<string, object?>("status", status)));
    }

    // Observable callbacks are synchronous; the three gauges share one reading per period.
    private Backlog? Read()
    {
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            // A clock set back (now before the last reading) counts as expired, never as fresh for ever.
            if (_readAt is { } last && now >= last && now - last < _refreshEvery) return _reading;
            _readAt = now; // also after a failure: a database that is away is asked again next period, not at every callback
            try
            {
                _reading = ReadFromDatabaseAsync().GetAwaiter().GetResult();
                if (_failing) _logger.LogInformation("Backlog metrics are readable again");
                _failing = false;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _reading = null;
                if (!_failing) _logger.LogWarning("Backlog metrics could not be read from the database: {Error}", e.Message);
                _failing = true;
            }
            return _reading;
        }
    }

    private async Task<Backlog> ReadFromDatabaseAsync()
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        var (count, oldest) = await _queue.DepthAsync(timeout.Token).ConfigureAwait(false);
        var documents = await _documents.CountByStatusAsync(timeout.Token).ConfigureAwait(false);
        return new Backlog(count, oldest ?? TimeSpan.Zero, documents);
    }

    private sealed record Backlog(long QueuedJobs, TimeSpan OldestJobAge, IReadOnlyDictionary<string, long> DocumentsByStatus);
}
