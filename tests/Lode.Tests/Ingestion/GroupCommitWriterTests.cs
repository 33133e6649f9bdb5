using Lode.Database;
using Lode.Ingestion;
using Lode.Ingestion.Events;
using Lode.Ingestion.Queue;
using Lode.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lode.Tests.Ingestion;

/// <summary>
/// The intake writer against a real PostgreSQL. A <see cref="JobRowGate"/> holds the writer inside one commit while the
/// test queues requests behind it, so which requests share the next commit is decided by the test, not by timing.
/// </summary>
public sealed class GroupCommitWriterTests
{
    private const string Bucket = "docs";

    [Fact]
    public async Task A_failed_commit_fails_every_request_in_it_and_commits_none_of_their_jobs()
    {
        await using var database = await TestDatabase.CreateAsync();
        // A real refusal by PostgreSQL for one object, inside the shared transaction.
        await database.ExecuteAsync("""
            CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN IF NEW.key = 'poison' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER refuse_poison BEFORE INSERT ON ingest_jobs FOR EACH ROW EXECUTE FUNCTION refuse_poison();
            """);
        await using var writer = CreateWriter(database);

        var (gated, queued) = await QueueBehindGateAsync(database, writer, ["a", "poison", "b", "c"]);

        await gated;
        foreach (var request in queued) await Assert.ThrowsAsync<PostgresException>(() => request);
        Assert.Equal(1, writer.Commits);
        Assert.Equal(1, writer.FailedCommits);
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs"));
    }

    [Fact]
    public async Task A_caller_that_gives_up_does_not_fail_the_requests_committed_with_it()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var writer = CreateWriter(database);
        await using var gate = await JobRowGate.CloseAsync(database, Bucket, "gate");
        var gated = writer.EnqueueAsync([new JobRequest(Bucket, "gate", "s3:ObjectCreated:Put")], default);
        await gate.WaitForBlockedWriterAsync();

        using var leaving = new CancellationTokenSource();
        var stays1 = writer.EnqueueAsync([new JobRequest(Bucket, "one", "s3:ObjectCreated:Put")], default);
        var leaves = writer.EnqueueAsync([new JobRequest(Bucket, "gone", "s3:ObjectCreated:Put")], leaving.Token);
        var stays2 = writer.EnqueueAsync([new JobRequest(Bucket, "two", "s3:ObjectCreated:Put")], default);
        await Eventually.WaitUntilAsync(() => Task.FromResult(writer.Queued == 3), "three requests queued behind the gate");
        await leaving.CancelAsync();
        await gate.OpenAsync();

        await Task.WhenAll(gated, stays1, stays2);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaves);
        Assert.Equal(2, writer.Commits);
        Assert.Equal(0, writer.FailedCommits);
        Assert.Equal(2L, await database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs WHERE key IN ('one', 'two')"));
    }

    [Fact]
    public async Task Requests_sharing_a_commit_keep_one_job_per_object_named_by_the_newest_event()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var writer = CreateWriter(database);
        await using var gate = await JobRowGate.CloseAsync(database, Bucket, "gate");
        var gated = writer.EnqueueAsync([new JobRequest(Bucket, "gate", "s3:ObjectCreated:Put")], default);
        await gate.WaitForBlockedWriterAsync();

        // Queued in this order (the channel keeps it): put, then remove, of the same object; a forced request too.
        var put = writer.EnqueueAsync([new JobRequest(Bucket, "same", "s3:ObjectCreated:Put")], default);
        var forced = writer.EnqueueAsync([new JobRequest(Bucket, "same", "reindex") { Force = true }], default);
        var removed = writer.EnqueueAsync([new JobRequest(Bucket, "same", "s3:ObjectRemoved:Delete")], default);
        await Eventually.WaitUntilAsync(() => Task.FromResult(writer.Queued == 3), "three requests queued behind the gate");
        await gate.OpenAsync();
        await Task.WhenAll(gated, put, forced, removed);

        Assert.Equal(2, writer.Commits);
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs WHERE key = 'same'"));
        Assert.Equal("s3:ObjectRemoved:Delete", await database.ScalarAsync<string>("SELECT reason FROM ingest_jobs WHERE key = 'same'"));
        Assert.True(await database.ScalarAsync<bool>("SELECT force FROM ingest_jobs WHERE key = 'same'"));
    }

    [Fact]
    public async Task After_a_shared_commit_the_writer_waits_for_as_many_requests_before_the_next_commit()
    {
        await using var database = await TestDatabase.CreateAsync();
        // A gather window far longer than any pause between the two sends below: what is decided is which requests share
        // a commit, not how long anything takes.
        await using var writer = CreateWriter(database, new IntakeOptions { GatherMilliseconds = 10_000 });
        var (gated, pair) = await QueueBehindGateAsync(database, writer, ["pair 1", "pair 2"]);
        await gated;
        await Task.WhenAll(pair);

        // The last commit answered two requests: the first to come back waits for a second one instead of committing alone.
        var first = writer.EnqueueAsync([new JobRequest(Bucket, "next 1", "s3:ObjectCreated:Put")], default);
        await Eventually.WaitUntilAsync(() => Task.FromResult(writer.Queued == 1), "the first request queued");
        var second = writer.EnqueueAsync([new JobRequest(Bucket, "next 2", "s3:ObjectCreated:Put")], default);
        await Task.WhenAll(first, second);

        Assert.Equal(3, writer.Commits);
        Assert.Equal(2L, await database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs WHERE key LIKE 'next %'"));
    }

    private static GroupCommitWriter CreateWriter(TestDatabase database, IntakeOptions? intake = null) =>
        new(new JobQueue(database.DataSource), Options.Create(new IngestionOptions { Intake = intake ?? new IntakeOptions() }),
            NullLogger<GroupCommitWriter>.Instance);

    // One request held in a commit by the gate, then one request per key queued behind it; the gate opens once all
    // are queued, so they share the next commit.
    private static async Task<(Task Gated, List<Task> Queued)> QueueBehindGateAsync(TestDatabase database, GroupCommitWriter writer, string[] keys)
    {
        await using var gate = await JobRowGate.CloseAsync(database, Bucket, "gate");
        var gated = writer.EnqueueAsync([new JobRequest(Bucket, "gate", "s3:ObjectCreated:Put")], default);
        await gate.WaitForBlockedWriterAsync();
        var queued = keys.Select(k => writer.EnqueueAsync([new JobRequest(Bucket, k, "s3:ObjectCreated:Put")], default)).ToList();
        await Eventually.WaitUntilAsync(() => Task.FromResult(writer.Queued == keys.Length), "the requests queued behind the gate");
        await gate.OpenAsync();
        return (gated, queued);
    }
}
