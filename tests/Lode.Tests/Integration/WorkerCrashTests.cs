using Lode.Tests.Hosting;
using Lode.Tests.Support;

namespace Lode.Tests.Integration;

/// <summary>
/// A worker process killed (SIGKILL) in the middle of a document: the lease lapses, another worker takes the job, and
/// the document ends indexed exactly once. The victim is the real app executable in its own process.
/// </summary>
public sealed class WorkerCrashTests
{
    [Fact]
    public async Task A_worker_killed_mid_document_leaves_it_indexed_exactly_once_after_the_lease_expires()
    {
        await using var database = await TestDatabase.CreateAsync(migrate: false);
        var victimPort = FreePort.Next();
        await using var s3 = await S3ServerProcess.StartAsync(
            $"http://127.0.0.1:{victimPort}/api/minio/events", LodeStack.WebhookToken, [LodeStack.Bucket], default);

        using var victim = AppProcess.Start(LodeStack.AppArguments(database, s3, victimPort, "--Ingestion:MaxConcurrency=1"));
        try
        {
            await AppProcess.WaitForHealthAsync(victimPort, victim);

            // Long enough that embedding takes seconds, so the kill lands mid-document.
            const string key = "long/policy-manual.txt";
            await using (var upload = new MemoryStream(LongDocument.Text()))
            {
                await s3.CreateStore().PutAsync(LodeStack.Bucket, key, upload, "text/plain", default);
            }

            await Eventually.WaitUntilAsync(async () => await database.ScalarAsync<long>(
                "SELECT count(*) FROM ingest_jobs WHERE leased_by LIKE $1", $"%:{victim.Id}:%") == 1, "the victim to lease the job");
            await Task.Delay(1500);
            Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM documents WHERE status = 'indexed'"));
            victim.Kill(entireProcessTree: true);
            await victim.WaitForExitAsync();
            Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs WHERE lease_token IS NOT NULL"));

            // A surviving worker (in-process this time) takes the job once the dead one's lease lapses.
            await using var survivor = await StandaloneApp.StartAsync(LodeStack.AppArguments(database, s3, FreePort.Next()));
            await Eventually.WaitUntilAsync(async () => await database.ScalarAsync<long>(
                "SELECT count(*) FROM documents WHERE status = 'indexed'") == 1, "the survivor to index the document", 180);

            var chunkCount = await database.ScalarAsync<int>("SELECT chunk_count FROM documents WHERE key = $1", key);
            Assert.True(chunkCount > 20, $"expected a long document, got {chunkCount} chunks");
            Assert.Equal(chunkCount, (int)await database.ScalarAsync<long>("SELECT count(*) FROM chunks"));
            Assert.Equal(chunkCount, (int)await database.ScalarAsync<long>("SELECT count(DISTINCT ordinal) FROM chunks"));
            Assert.Equal(2, await database.ScalarAsync<int>("SELECT attempts FROM documents WHERE key = $1", key));
            Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs"));
        }
        finally
        {
            if (!victim.HasExited) victim.Kill(entireProcessTree: true);
        }
    }
}
