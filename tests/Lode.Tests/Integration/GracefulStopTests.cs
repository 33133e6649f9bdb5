using System.Text;
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
            var text = string.Join("\n\n", Enumerable.Range(1, 1200).Select(i =>
                $"Clause {i}. The committee reviews request number {i} within {i % 9 + 2} working days and records its decision."));
            await stack.PutAsync("long/manual.txt", Encoding.UTF8.GetBytes(text), "text/plain");
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
}
