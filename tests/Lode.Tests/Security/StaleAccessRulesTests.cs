using System.Text;
using Lode.Database;
using Lode.Storage;
using Lode.Tests.Hosting;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Minio;

namespace Lode.Tests.Security;

/// <summary>
/// During a rolling update or a scale-out, instances with the old access rules run beside one with new rules. Once the
/// index has adopted the new rules, the old instances lease nothing, and a job they already hold writes no groups.
/// </summary>
public sealed class StaleAccessRulesTests
{
    private const string Key = "hr/policy.md";

    [Fact]
    public async Task A_job_leased_under_replaced_rules_writes_nothing_and_is_handed_back()
    {
        await using var database = await TestDatabase.CreateAsync();
        var queue = new JobQueue(database.DataSource);
        var writer = new IndexWriter(database.DataSource);
        await queue.AdoptAccessRulesAsync("old-rules", "test", default);
        await queue.EnqueueAsync([new JobRequest("b", Key, "test")], default);
        var job = Assert.Single(await queue.LeaseAsync(1, TimeSpan.FromMinutes(5), "old-worker", default, "old-rules"));

        Assert.Equal(0L, await queue.AdoptAccessRulesAsync("new-rules", "access rules changed", default));
        await Assert.ThrowsAsync<StaleAccessRulesException>(() => writer.SaveUnchangedAsync(job, ["hr"], default));

        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM documents"));
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs WHERE lease_token IS NULL"));
        Assert.Empty(await queue.LeaseAsync(1, TimeSpan.FromMinutes(5), "old-worker", default, "old-rules"));
        Assert.Single(await queue.LeaseAsync(1, TimeSpan.FromMinutes(5), "new-worker", default, "new-rules"));
    }

    [Fact]
    public async Task An_instance_with_replaced_rules_leases_nothing_and_one_with_the_new_rules_indexes_by_them()
    {
        await using var database = await TestDatabase.CreateAsync(migrate: false);
        var port = FreePort.Next();
        await using var s3 = await S3ServerProcess.StartAsync($"http://127.0.0.1:{port}/api/minio/events", LodeStack.WebhookToken, [LodeStack.Bucket], default);
        string[] HrRuleGrants(string group, bool worker, int appPort) => LodeStack.AppArguments(database, s3, appPort,
            "--Access:DefaultGroups:0=", "--Access:PrefixRules:0:Prefix=hr/", $"--Access:PrefixRules:0:Groups:0={group}",
            $"--Ingestion:WorkerEnabled={worker}");

        // The old instance keeps running (and receives the store's events); a new one adopts new rules, its worker off so
        // that only the old instance could take the job.
        await using (var old = await StandaloneApp.StartAsync(HrRuleGrants("hr", worker: true, port)))
        {
            await using (await StandaloneApp.StartAsync(HrRuleGrants("people", worker: false, FreePort.Next())))
            {
                using var client = new MinioClient().WithEndpoint(s3.Endpoint).WithCredentials(s3.AccessKey, s3.SecretKey).Build();
                var store = new MinioObjectStore(client, Options.Create(new StorageOptions()));
                await store.PutAsync(LodeStack.Bucket, Key, new MemoryStream(Encoding.UTF8.GetBytes("# Policy\n\nOnly for HR.")), "text/markdown", default);
                await Eventually.WaitUntilAsync(async () => await database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs WHERE key = $1", Key) == 1,
                    $"a job for {Key}", 60);
                await Eventually.WaitUntilAsync(() => Task.FromResult(old.Logs.Entries.Any(e => e.Message.Contains("leases no ingest jobs"))),
                    "the old instance to report that it follows replaced rules", 60);
                var health = await old.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Name == "accessRules");
                Assert.Equal(HealthStatus.Degraded, health.Status);
            }
            Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM documents"));
            Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs WHERE leased_by IS NOT NULL"));
        }

        await using (await StandaloneApp.StartAsync(HrRuleGrants("people", worker: true, port)))
        {
            await Eventually.WaitUntilAsync(async () =>
                await database.ScalarAsync<long>("SELECT count(*) FROM documents WHERE key = $1 AND status = 'indexed' AND read_groups::text = '{people}'", Key) == 1
                && await database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs") == 0,
                $"{Key} indexed with the new rules' groups", 120);
        }
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM chunks WHERE read_groups::text <> '{people}'"));
    }
}
