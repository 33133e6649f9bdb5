using System.Net;
using Lode.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Lode.Tests.Integration;

/// <summary>
/// The object store or PostgreSQL goes away while documents are being ingested and comes back: jobs are retried, not
/// failed, and the running app recovers by itself (no restart), down to its health check. Both servers are real and
/// are really stopped: the S3 server this test owns, and a private PostgreSQL cluster (the shared one serves others).
/// </summary>
public sealed class OutageRecoveryTests
{
    private const int DocumentCount = 5;

    // Many quick retries: an outage of a few seconds must not use them up.
    private static readonly string[] PatientRetries =
    [
        "--Ingestion:MaxConcurrency=1", "--Ingestion:MaxAttempts=100", "--Ingestion:RetryBaseSeconds=0.2", "--Ingestion:RetryMaxSeconds=1",
    ];

    [Fact]
    public async Task The_object_store_going_away_mid_ingest_delays_documents_and_they_are_indexed_when_it_returns()
    {
        await using var stack = await LodeStack.StartAsync(null, null, PatientRetries);
        var keys = await QueueDocumentsAsync(stack);

        await stack.S3.StopAsync();
        await Eventually.WaitUntilAsync(async () => await stack.Database.ScalarAsync<long>(
            "SELECT count(*) FROM ingest_jobs WHERE attempts >= 2 AND last_error IS NOT NULL") > 0, "a job to be retried while the store is away", 120);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await HealthAsync(stack));
        Assert.Equal(0L, await stack.Database.ScalarAsync<long>("SELECT count(*) FROM documents WHERE status = 'failed'"));

        await stack.S3.RestartAsync(default);
        await AssertRecoveredAsync(stack, keys);
    }

    [Fact]
    public async Task PostgreSQL_going_away_mid_ingest_delays_documents_and_the_app_recovers_when_it_returns()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        var database = await TestDatabase.CreateAsync(migrate: false, server: postgres.ServerConnectionString);
        await using var stack = await LodeStack.StartAsync(database, null, PatientRetries);
        var keys = await QueueDocumentsAsync(stack);

        var warningsBefore = LeaseWarnings(stack);
        await postgres.StopAsync();
        await Eventually.WaitUntilAsync(() => Task.FromResult(LeaseWarnings(stack) > warningsBefore + 2),
            "the worker to keep polling while the database is away", 120);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await HealthAsync(stack));

        await postgres.RestartAsync();
        // Only the test's own connections are dropped; the app must notice its broken ones by itself.
        database.DataSource.Clear();
        await Eventually.WaitUntilAsync(async () => await HealthAsync(stack) == HttpStatusCode.OK, "health to recover", 120);
        await AssertRecoveredAsync(stack, keys);
    }

    /// <summary>Uploads the documents and waits until every one is queued (or already indexed) before the outage.</summary>
    private static async Task<IReadOnlyList<string>> QueueDocumentsAsync(LodeStack stack)
    {
        var keys = Enumerable.Range(1, DocumentCount).Select(i => $"outage/report-{i}.txt").ToList();
        foreach (var key in keys) await stack.PutAsync(key, LongDocument.Text(400), "text/plain");
        await Eventually.WaitUntilAsync(async () => await stack.Database.ScalarAsync<long>(
            "SELECT (SELECT count(*) FROM ingest_jobs) + (SELECT count(*) FROM documents WHERE status = 'indexed')") == DocumentCount,
            "every upload to be queued");
        Assert.True(await stack.Database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs") > 0, "the outage must come mid-ingest");
        return keys;
    }

    private static async Task AssertRecoveredAsync(LodeStack stack, IReadOnlyList<string> keys)
    {
        foreach (var key in keys) await stack.WaitForStatusAsync(key, "indexed", TimeSpan.FromSeconds(240));
        await stack.WaitForQueueEmptyAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0L, await stack.Database.ScalarAsync<long>("SELECT count(*) FROM documents WHERE status <> 'indexed'"));
        Assert.Equal(
            await stack.Database.ScalarAsync<long>("SELECT sum(chunk_count) FROM documents"),
            await stack.Database.ScalarAsync<long>("SELECT count(*) FROM chunks"));
        Assert.Equal(HttpStatusCode.OK, await HealthAsync(stack));
    }

    private static async Task<HttpStatusCode> HealthAsync(LodeStack stack)
    {
        using var response = await stack.Api.GetAsync("api/health");
        return response.StatusCode;
    }

    private static int LeaseWarnings(LodeStack stack) => stack.App.Logs.Entries.Count(e =>
        e.Level == LogLevel.Warning && e.Message.StartsWith("Could not lease ingest jobs", StringComparison.Ordinal));
}
