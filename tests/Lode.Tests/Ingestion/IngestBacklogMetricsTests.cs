using System.Diagnostics.Metrics;
using Lode.Database;
using Lode.Ingestion.Queue;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Lode.Tests.Ingestion;

/// <summary>The backlog gauges read PostgreSQL at most once per refresh period, and report nothing when they cannot.</summary>
public sealed class IngestBacklogMetricsTests : IAsyncLifetime
{
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(15);

    private readonly ManualClock _clock = new(DateTimeOffset.UnixEpoch);
    // A meter factory of the test's own, so the listener hears these gauges and not those of apps other tests run.
    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync()
    {
        await _metrics.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task A_reading_is_reused_until_the_refresh_period_has_passed()
    {
        using var gauges = Gauges(_db.DataSource);
        var queue = new JobQueue(_db.DataSource);
        await queue.EnqueueAsync([new JobRequest("b", "one.pdf", "test")], default);

        Assert.Equal(1, Read()[IngestBacklogMetrics.QueueDepthName]);

        await queue.EnqueueAsync([new JobRequest("b", "two.pdf", "test")], default);
        _clock.Advance(RefreshEvery - TimeSpan.FromSeconds(1));
        Assert.Equal(1, Read()[IngestBacklogMetrics.QueueDepthName]);

        _clock.Advance(TimeSpan.FromSeconds(1));
        var fresh = Read();
        Assert.Equal(2, fresh[IngestBacklogMetrics.QueueDepthName]);
        Assert.True(fresh[IngestBacklogMetrics.QueueOldestAgeName] >= 0);
        // Every status is reported, 0 included, so no series vanishes.
        Assert.Equal(0, fresh[$"{IngestBacklogMetrics.DocumentsName}/indexed"]);
        Assert.Equal(0, fresh[$"{IngestBacklogMetrics.DocumentsName}/failed"]);
        Assert.Equal(0, fresh[$"{IngestBacklogMetrics.DocumentsName}/pending"]);
    }

    [Fact]
    public void Nothing_is_reported_while_the_database_cannot_be_read()
    {
        // Nobody listens on port 9: every reading fails.
        using var unreachable = NpgsqlDataSource.Create("Host=127.0.0.1;Port=9;Username=lode;Password=lode;Database=lode;Timeout=2");
        using var gauges = Gauges(unreachable);

        Assert.Empty(Read());
    }

    private IngestBacklogMetrics Gauges(NpgsqlDataSource dataSource) =>
        new(new JobQueue(dataSource), new DocumentRepository(dataSource), _clock, RefreshEvery,
            NullLogger<IngestBacklogMetrics>.Instance, _metrics.GetRequiredService<IMeterFactory>());

    /// <summary>One collection, as a scrape makes: instrument name (and <c>/status</c> for documents) → value.</summary>
    private Dictionary<string, double> Read()
    {
        var factory = _metrics.GetRequiredService<IMeterFactory>();
        var values = new Dictionary<string, double>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == factory) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => values[Name(instrument, tags)] = value);
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => values[Name(instrument, tags)] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return values;

        static string Name(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
            tags.Length == 0 ? instrument.Name : $"{instrument.Name}/{tags[0].Value}";
    }
}
