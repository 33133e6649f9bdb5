using Lode.Tests.Hosting;
using Lode.Tests.Support;

namespace Lode.Tests.Integration;

/// <summary>A clean stop gives back the job in hand at once, so no other worker has to wait out its lease.</summary>
public sealed class GracefulStopTests
{
    [Fact]
    public async Task Stopping_the_app_mid_document_releases_the_job_without_counting_an_attempt()
    {
        var stack = await LodeStack.StartAsync(null, null, "--Ingestion:LeaseSeconds=600", "--Ingestion:MaxConcurrency=1");
        await using var database = stack.Database;
        try
        {
            await stack.PutAsync("long/manual.txt", LongDocument.Text(), "text/plain");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (await database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs WHERE lease_token IS NOT NULL") == 0)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException("The job was never leased.");
                await Task.Delay(50);
            }
        }
        finally
        {
            // Stop the app (and S3) but keep the database to look at.
            stack.Api.Dispose();
            await stack.App.DisposeAsync();
            await stack.S3.DisposeAsync();
        }

        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs WHERE lease_token IS NOT NULL"));
        Assert.Equal(0, await database.ScalarAsync<int>("SELECT attempts FROM ingest_jobs"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM documents WHERE status = 'indexed'"));
    }

    [Fact]
    public async Task SIGTERM_mid_document_exits_cleanly_and_the_next_instance_indexes_it_at_once()
    {
        await using var database = await TestDatabase.CreateAsync(migrate: false);
        var port = FreePort.Next();
        await using var s3 = await S3ServerProcess.StartAsync(
            $"http://127.0.0.1:{port}/api/minio/events", LodeStack.WebhookToken, [LodeStack.Bucket], default);
        // A lease far longer than the waits below: the second instance can only finish if the job was given back.
        string[] settings = ["--Ingestion:LeaseSeconds=600", "--Ingestion:MaxConcurrency=1"];

        using var first = AppProcess.Start(LodeStack.AppArguments(database, s3, port, settings));
        try
        {
            await AppProcess.WaitForHealthAsync(port, first);
            const string key = "long/handbook.txt";
            await using (var upload = new MemoryStream(LongDocument.Text()))
            {
                await s3.CreateStore().PutAsync(LodeStack.Bucket, key, upload, "text/plain", default);
            }
            await Eventually.WaitUntilAsync(async () => await database.ScalarAsync<long>(
                "SELECT count(*) FROM ingest_jobs WHERE leased_by LIKE $1", $"%:{first.Id}:%") == 1, "the first instance to lease the job");

            await AppProcess.TerminateAsync(first);
            using (var exit = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
            {
                await first.WaitForExitAsync(exit.Token);
            }
            Assert.Equal(0, first.ExitCode);
            // Still queued (the stop came mid-document), given back, and the interrupted attempt not counted.
            Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs"));
            Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs WHERE lease_token IS NOT NULL"));
            Assert.Equal(0, await database.ScalarAsync<int>("SELECT attempts FROM ingest_jobs"));
            Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM documents WHERE status = 'indexed'"));

            await using var second = await StandaloneApp.StartAsync(LodeStack.AppArguments(database, s3, FreePort.Next(), settings));
            await Eventually.WaitUntilAsync(async () => await database.ScalarAsync<long>(
                "SELECT count(*) FROM documents WHERE status = 'indexed'") == 1, "the second instance to index the document", 240);

            var chunkCount = await database.ScalarAsync<int>("SELECT chunk_count FROM documents WHERE key = $1", key);
            Assert.Equal(chunkCount, (int)await database.ScalarAsync<long>("SELECT count(*) FROM chunks"));
            Assert.Equal(chunkCount, (int)await database.ScalarAsync<long>("SELECT count(DISTINCT ordinal) FROM chunks"));
            Assert.Equal(1, await database.ScalarAsync<int>("SELECT attempts FROM documents WHERE key = $1", key));
            Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs"));
        }
        finally
        {
            if (!first.HasExited) first.Kill(entireProcessTree: true);
        }
    }
}
