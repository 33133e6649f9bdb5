using System.Collections.Concurrent;
using System.Net;
using Lode.Tests.Hosting;
using Lode.Tests.Support;

namespace Lode.Tests.Integration;

/// <summary>
/// The app killed (SIGKILL) in the middle of a webhook burst from several senders: every event it answered 2xx has its
/// job in the database, and once the senders redeliver what was not acknowledged (as MinIO does), each object has
/// exactly one job. The victim is the real app executable in its own process, with group commit on (the default).
/// </summary>
public sealed class WebhookKillTests
{
    private const string Bucket = "docs";
    private const int Senders = 4;
    private const int EventsPerSender = 500;
    private const int AcknowledgedBeforeKill = 300;

    [Fact]
    public async Task A_kill_mid_burst_loses_no_acknowledged_event_and_redelivery_leaves_one_job_per_object()
    {
        await using var database = await TestDatabase.CreateAsync(migrate: false);
        var port = FreePort.Next();
        using var victim = AppProcess.Start(AppArguments(database, port));
        var acknowledged = new ConcurrentBag<string>();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60) };
            await WaitUntilAcceptingAsync(client, victim);

            var keys = Enumerable.Range(0, Senders)
                .Select(s => Enumerable.Range(0, EventsPerSender).Select(i => $"sender{s}/object {i:D4}.pdf").ToList())
                .ToList();
            var senders = keys.Select(own => SendEachAsync(client, own, acknowledged)).ToList();

            await Eventually.WaitUntilAsync(() => Task.FromResult(acknowledged.Count >= AcknowledgedBeforeKill),
                $"{AcknowledgedBeforeKill} acknowledged events", 180);
            victim.Kill(entireProcessTree: true);
            await victim.WaitForExitAsync();
            await Task.WhenAll(senders);

            var all = keys.SelectMany(k => k).ToList();
            var acked = acknowledged.ToHashSet(StringComparer.Ordinal);
            Assert.True(acked.Count < all.Count, "the kill should land before the burst ends");
            var committed = await JobKeysAsync(database);
            Assert.DoesNotContain(acked, k => !committed.Contains(k));

            // MinIO redelivers every event it got no 2xx for; a fresh instance takes them.
            await using var survivor = await StandaloneApp.StartAsync(AppArguments(database, port: null));
            foreach (var key in all.Where(k => !acked.Contains(k)))
                Assert.Equal(HttpStatusCode.OK, await MinioNotification.SendAsync(survivor.Client, MinioNotification.Body(Bucket, key), StandaloneApp.FixtureWebhookToken));

            Assert.Equal(all.Count + 1L, await database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs")); // + the warm-up event
            Assert.Equal(0L, await database.ScalarAsync<long>(
                "SELECT count(*) FROM (SELECT 1 FROM ingest_jobs GROUP BY bucket, key HAVING count(*) > 1) AS duplicated"));
            Assert.True((await JobKeysAsync(database)).IsSupersetOf(all));
        }
        finally
        {
            if (!victim.HasExited) victim.Kill(entireProcessTree: true);
        }
    }

    private static string[] AppArguments(TestDatabase database, int? port) =>
    [
        .. port is { } p ? new[] { "--urls", $"http://127.0.0.1:{p}" } : [],
        $"--Database:ConnectionString={database.ConnectionString}",
        .. StandaloneApp.UnusedStoreArgs,
        $"--Webhook:Token={StandaloneApp.FixtureWebhookToken}",
        "--Ingestion:WorkerEnabled=false",
        "--Reconcile:Schedule=0 0 0 1 1 *",
        "--Security:RateLimit:PermitsPerMinute=1000000",
        "--Security:RateLimit:Burst=1000000",
    ];

    // Sends one event per key, one at a time, as one MinIO target does; after the kill every send fails fast.
    private static async Task SendEachAsync(HttpClient client, List<string> keys, ConcurrentBag<string> acknowledged)
    {
        foreach (var key in keys)
        {
            try
            {
                var status = await MinioNotification.SendAsync(client, MinioNotification.Body(Bucket, key), StandaloneApp.FixtureWebhookToken);
                if ((int)status is >= 200 and < 300) acknowledged.Add(key);
            }
            catch (HttpRequestException)
            {
                // Not acknowledged: the sender will redeliver it.
            }
        }
    }

    // The store is unused (health reports it down), so readiness is the webhook itself answering 2xx.
    private static Task WaitUntilAcceptingAsync(HttpClient client, System.Diagnostics.Process process) => Eventually.WaitUntilAsync(async () =>
    {
        if (process.HasExited) throw new InvalidOperationException($"The app process exited with code {process.ExitCode}.");
        try
        {
            return await MinioNotification.SendAsync(client, MinioNotification.Body(Bucket, "warm-up.pdf"), StandaloneApp.FixtureWebhookToken) == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }, "the app process to accept webhooks", 120);

    private static async Task<HashSet<string>> JobKeysAsync(TestDatabase database)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await using var command = database.DataSource.CreateCommand("SELECT key FROM ingest_jobs");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) keys.Add(reader.GetString(0));
        return keys;
    }
}
