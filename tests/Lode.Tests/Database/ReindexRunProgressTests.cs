using Lode.Database;
using Lode.Tests.Support;

namespace Lode.Tests.Database;

/// <summary>A reindex run's progress is counted from its jobs' outcomes, against a real PostgreSQL.</summary>
public sealed class ReindexRunProgressTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private TestDatabase _db = null!;
    private JobQueue _queue = null!;
    private IndexWriter _writer = null!;
    private ReindexRunStore _runs = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _queue = new JobQueue(_db.DataSource);
        _writer = new IndexWriter(_db.DataSource);
        _runs = new ReindexRunStore(_db.DataSource);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Each_run_counts_a_job_once_when_it_completes_even_when_an_event_coalesces_into_it()
    {
        var run = await _runs.CreateAsync("b", null, force: false, "tester", default);
        Assert.True(await _runs.RecordPageAsync(run.Id, [Job("k1"), Job("k2")], previous: null, "k2", default));
        // A second run over k1 while the first still waits for it: both wait for the one job.
        var other = await _runs.CreateAsync("b", "k1", force: false, "tester", default);
        Assert.True(await _runs.RecordPageAsync(other.Id, [Job("k1")], previous: null, "k1", default));
        await _runs.FinishListingAsync(run.Id, default);
        await _runs.FinishListingAsync(other.Id, default);

        var leased = await _queue.LeaseAsync(10, Lease, "worker", default);
        var k1 = leased.Single(j => j.Key == "k1");
        var k2 = leased.Single(j => j.Key == "k2");
        // An event for k1 arrives while it is being worked on: this look at k1 is not its last, so it counts for nobody.
        await _queue.EnqueueAsync([new JobRequest("b", "k1", "s3:ObjectCreated:Put")], default);
        await _writer.SaveUnchangedAsync(k1, [], default);
        await _writer.SaveFailedAsync(k2, "Unsupported: no extractor", "etag-2", [], default);

        var midway = (await _runs.GetAsync(run.Id, default))!;
        Assert.Equal((2L, 2L, 0L, 0L, 1L, 1L), (midway.Listed, midway.Queued, midway.Indexed, midway.Skipped, midway.Failed, midway.Pending));
        Assert.Equal(ReindexRunStatus.ListingDone, midway.Status);

        var again = Assert.Single(await _queue.LeaseAsync(10, Lease, "worker", default));
        await _writer.SaveIndexedAsync(again, new IndexedObject("etag-1", 10, "text/plain", 1, []), [], default);

        var done = (await _runs.GetAsync(run.Id, default))!;
        Assert.Equal((1L, 0L, 1L, 0L, 0L), (done.Indexed, done.Skipped, done.Failed, done.Removed, done.Pending));
        Assert.Equal(ReindexRunStatus.Done, done.Status);
        Assert.NotNull(done.FinishedAt);
        var otherDone = (await _runs.GetAsync(other.Id, default))!;
        Assert.Equal((1L, 1L, 1L, ReindexRunStatus.Done), (otherDone.Queued, otherDone.Indexed, otherDone.Queued - otherDone.Pending, otherDone.Status));
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM ingest_job_runs"));
    }

    [Fact]
    public async Task A_run_is_done_only_when_its_listing_has_ended_and_every_job_has_an_outcome()
    {
        var run = await _runs.CreateAsync("b", null, force: true, "tester", default);
        Assert.True(await _runs.RecordPageAsync(run.Id, [Job("gone", force: true)], previous: null, "gone", default));
        var job = Assert.Single(await _queue.LeaseAsync(10, Lease, "worker", default));
        Assert.True(job.Force);
        await _writer.SaveDeletedAsync(job, default);

        var listing = (await _runs.GetAsync(run.Id, default))!;
        Assert.Equal((ReindexRunStatus.Running, 1L, 0L), (listing.Status, listing.Removed, listing.Pending));

        await _runs.FinishListingAsync(run.Id, default);
        Assert.Equal(ReindexRunStatus.Done, (await _runs.GetAsync(run.Id, default))!.Status);

        var empty = await _runs.CreateAsync("b", "nothing-here/", force: false, "tester", default);
        await _runs.FinishListingAsync(empty.Id, default);
        Assert.Equal(ReindexRunStatus.Done, (await _runs.GetAsync(empty.Id, default))!.Status);
    }

    [Fact]
    public async Task A_page_is_not_recorded_once_another_instance_has_moved_the_marker()
    {
        var run = await _runs.CreateAsync("b", null, force: false, "tester", default);
        Assert.True(await _runs.RecordPageAsync(run.Id, [Job("k1")], previous: null, "k1", default));

        // This instance still believes nothing was listed: its page must not be recorded.
        Assert.False(await _runs.RecordPageAsync(run.Id, [Job("k1"), Job("k2")], previous: null, "k2", default));

        var current = (await _runs.GetAsync(run.Id, default))!;
        Assert.Equal((1L, 1L, "k1"), (current.Listed, current.Queued, current.ListedThrough));
        Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs"));
    }

    private static JobRequest Job(string key, bool force = false) => new("b", key, "reindex", force);
}
