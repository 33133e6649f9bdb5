using Lode.Database;
using Lode.Tests.Support;

namespace Lode.Tests.Database;

/// <summary>The durable queue's guarantees, against a real PostgreSQL.</summary>
public sealed class JobQueueTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private JobQueue _queue = null!;
    private IndexWriter _writer = null!;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _queue = new JobQueue(_db.DataSource);
        _writer = new IndexWriter(_db.DataSource);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Repeated_events_for_one_object_coalesce_into_one_job()
    {
        for (var i = 0; i < 3; i++) await _queue.EnqueueAsync([new JobRequest("b", "k.pdf", "s3:ObjectCreated:Put")], default);

        Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs"));
        Assert.Equal(3, await _db.ScalarAsync<int>("SELECT generation FROM ingest_jobs"));
    }

    [Fact]
    public async Task A_leased_job_is_not_leased_twice_but_is_taken_again_after_its_lease_expires()
    {
        await _queue.EnqueueAsync([new JobRequest("b", "k", "test")], default);

        var first = await _queue.LeaseAsync(10, TimeSpan.FromMilliseconds(300), "dead-worker", default);
        var meanwhile = await _queue.LeaseAsync(10, Lease, "other", default);
        await Task.Delay(600);
        var after = await _queue.LeaseAsync(10, Lease, "other", default);

        Assert.Single(first);
        Assert.Empty(meanwhile);
        var retaken = Assert.Single(after);
        Assert.Equal(first[0].Id, retaken.Id);
        Assert.NotEqual(first[0].LeaseToken, retaken.LeaseToken);
        Assert.Equal(2, retaken.Attempts);
    }

    [Fact]
    public async Task Concurrent_workers_never_lease_the_same_job()
    {
        await _queue.EnqueueAsync(Enumerable.Range(0, 200).Select(i => new JobRequest("b", $"k{i}", "test")).ToList(), default);

        var leases = await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var mine = new List<long>();
            while (true)
            {
                var batch = await _queue.LeaseAsync(7, Lease, $"w{w}", default);
                if (batch.Count == 0) return mine;
                mine.AddRange(batch.Select(j => j.Id));
            }
        })));

        var all = leases.SelectMany(l => l).ToList();
        Assert.Equal(200, all.Count);
        Assert.Equal(200, all.Distinct().Count());
    }

    [Fact]
    public async Task A_worker_whose_lease_was_taken_over_writes_nothing()
    {
        await _queue.EnqueueAsync([new JobRequest("b", "k", "test")], default);
        var stale = Assert.Single(await _queue.LeaseAsync(1, TimeSpan.FromMilliseconds(200), "slow", default));
        await Task.Delay(400);
        var current = Assert.Single(await _queue.LeaseAsync(1, Lease, "fast", default));

        await Assert.ThrowsAsync<LeaseLostException>(() => _writer.SaveFailedAsync(stale, "stale result", "e1", TestReaders.Staff, default));
        await _writer.SaveFailedAsync(current, "current result", "e2", TestReaders.Staff, default);

        Assert.Equal("current result", await _db.ScalarAsync<string>("SELECT error FROM documents"));
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs"));
    }

    [Fact]
    public async Task An_event_that_arrives_while_a_job_is_worked_on_makes_the_job_run_again()
    {
        await _queue.EnqueueAsync([new JobRequest("b", "k", "put 1")], default);
        var job = Assert.Single(await _queue.LeaseAsync(1, Lease, "w", default));
        await _queue.EnqueueAsync([new JobRequest("b", "k", "put 2")], default);

        await _writer.SaveDeletedAsync(job, default);

        var again = Assert.Single(await _queue.LeaseAsync(1, Lease, "w", default));
        Assert.Equal("put 2", again.Reason);
        Assert.Equal(job.Generation + 1, again.Generation);
    }

    [Fact]
    public async Task A_job_released_for_retry_waits_for_its_backoff()
    {
        await _queue.EnqueueAsync([new JobRequest("b", "k", "test")], default);
        var job = Assert.Single(await _queue.LeaseAsync(1, Lease, "w", default));

        await _queue.ReleaseForRetryAsync(job, "store unreachable", TimeSpan.FromHours(1), default);

        Assert.Empty(await _queue.LeaseAsync(1, Lease, "w", default));
        Assert.Equal("store unreachable", await _db.ScalarAsync<string>("SELECT last_error FROM ingest_jobs"));
    }

    [Fact]
    public async Task A_cleanly_released_job_is_available_at_once_without_counting_an_attempt()
    {
        await _queue.EnqueueAsync([new JobRequest("b", "k", "test")], default);
        var job = Assert.Single(await _queue.LeaseAsync(1, Lease, "stopping", default));

        await _queue.ReleaseAsync(job, default);

        var again = Assert.Single(await _queue.LeaseAsync(1, Lease, "w", default));
        Assert.Equal(1, again.Attempts);
    }

    [Fact]
    public async Task Migrations_are_idempotent()
    {
        var migrator = new SchemaMigrator(_db.DataSource, Microsoft.Extensions.Logging.Abstractions.NullLogger<SchemaMigrator>.Instance);
        await migrator.MigrateAsync(new SchemaParameters(TestDatabase.Dimensions), default);
        await migrator.MigrateAsync(new SchemaParameters(TestDatabase.Dimensions), default);

        Assert.Equal((long)Migrations.All.Count, await _db.ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
    }
}
