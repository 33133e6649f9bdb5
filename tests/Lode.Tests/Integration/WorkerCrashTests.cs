using System.Diagnostics;
using System.Text;
using Lode.Tests.Hosting;
using Lode.Tests.Support;
using Minio;

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

        using var victim = StartAppProcess(LodeStack.AppArguments(database, s3, victimPort, "--Ingestion:MaxConcurrency=1"));
        try
        {
            await WaitForHealthAsync(victimPort, victim);

            // Long enough that embedding takes seconds, so the kill lands mid-document.
            const string key = "long/policy-manual.txt";
            var text = string.Join("\n\n", Enumerable.Range(1, 1200).Select(i =>
                $"Clause {i}. The committee reviews request number {i} within {i % 9 + 2} working days and records its decision."));
            await using (var upload = new MemoryStream(Encoding.UTF8.GetBytes(text)))
            {
                var store = new Lode.Storage.MinioObjectStore(
                    new MinioClient().WithEndpoint(s3.Endpoint).WithCredentials(s3.AccessKey, s3.SecretKey).Build(),
                    Microsoft.Extensions.Options.Options.Create(new Lode.Storage.StorageOptions()));
                await store.PutAsync(LodeStack.Bucket, key, upload, "text/plain", default);
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

    /// <summary>Starts the app executable that the build placed beside the tests, as `dotnet Lode.Functions.dll`.</summary>
    private static Process StartAppProcess(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Lode.Functions.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForHealthAsync(int port, Process process)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.WaitUntilAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"The app process exited with code {process.ExitCode}.");
            try { return (await client.GetAsync($"http://127.0.0.1:{port}/api/health")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
        }, "the app process to answer health");
    }
}
