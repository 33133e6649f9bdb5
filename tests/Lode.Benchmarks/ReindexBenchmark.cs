using System.Diagnostics;
using System.Globalization;
using System.Text;
using Lode.Database;
using Lode.Ingestion.Operations;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Benchmarks;

/// <summary>
/// The same corpus indexed three times in one run, each time through POST api/reindex's service and the app's own
/// lister and worker (<see cref="AppServices"/>): a first index into an empty index, a reindex of the unchanged corpus
/// (every object skipped by etag, nothing downloaded), and a forced reindex (everything downloaded, extracted and
/// chunked again, no chunk embedded again since none changed). Each pass is timed from the request until the run is done;
/// the table gives the reindex passes as fractions of the first index, in wall time and in CPU time of our processes.
/// A smaller bucket is reindexed first, untimed (JIT, connection pools, the model's first run).
/// </summary>
internal static class ReindexBenchmark
{
    private const string Bucket = "bench";
    private const string WarmupBucket = "warmup";

    public static async Task<int> RunAsync(string[] args)
    {
        if (BenchmarkArguments.Parse(args) is not { } arguments) return 2;
        var files = arguments.CorpusFiles();
        if (files.Length == 0)
        {
            Console.Error.WriteLine($"No files in {arguments.CorpusFolder}.");
            return 1;
        }

        Console.Error.WriteLine($"Starting the S3 server and a fresh database; {files.Length} files from {arguments.CorpusFolder}");
        // The object store counts GETs, so the table can show that the unchanged pass downloaded nothing.
        await using var app = await AppServices.StartAsync([Bucket, WarmupBucket], arguments.Settings, CountingObjectStore.Register);
        using var recorder = new PipelineRecorder();
        var store = app.Services.GetRequiredService<CountingObjectStore>();
        await app.UploadAsync(Bucket, files);
        await app.UploadAsync(WarmupBucket, [files.MinBy(f => new FileInfo(f).Length)!]);
        Console.Error.WriteLine("Uploaded; warming up");
        await ReindexAsync(app, WarmupBucket, force: false);

        var passes = new List<Pass>();
        foreach (var (name, force) in new[] { ("first index", false), ("unchanged reindex", false), ("forced reindex", true) })
        {
            store.Reset();
            recorder.Reset();
            var backends = await app.DatabaseBackendsAsync();
            var cpu = CpuAccount.Take(backends);
            var watch = Stopwatch.StartNew();
            var run = await ReindexAsync(app, Bucket, force);
            var seconds = watch.Elapsed.TotalSeconds;
            var used = CpuAccount.Between(cpu, CpuAccount.Take(backends), seconds);
            passes.Add(new Pass(name, force, seconds, used, run, store.Fetches, recorder.Embedded));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {seconds:F2} s ({run.Status})"));
        }

        var chunks = await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.bucket = $1", Bucket);
        var table = Report(arguments.CorpusFolder, files.Length, chunks, passes);
        Console.WriteLine(table);
        await arguments.WriteOutputAsync(table);
        return passes.All(p => p.Run.Status == ReindexRunStatus.Done && p.Run.Failed == 0) ? 0 : 1;
    }

    /// <summary>Starts a reindex of the whole bucket and waits until it is done (or failed).</summary>
    private static async Task<ReindexRun> ReindexAsync(AppServices app, string bucket, bool force)
    {
        var requests = app.Services.GetRequiredService<ReindexRequests>();
        var run = await requests.StartAsync(bucket, prefix: null, force, "benchmark", CancellationToken.None);
        while (run.Status is ReindexRunStatus.Running or ReindexRunStatus.ListingDone)
        {
            await Task.Delay(5);
            run = (await requests.GetAsync(run.Id, CancellationToken.None))!;
        }
        return run;
    }

    private static string Report(string folder, int files, long chunks, List<Pass> passes)
    {
        var first = passes[0];
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Corpus: {Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)))} — {files} objects, {chunks} chunks.");
        s.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine.Description()}.");
        s.AppendLine();
        s.AppendLine("| pass | wall s | ratio to first index | CPU s, ours | CPU ratio | indexed | skipped | objects downloaded | texts embedded | other load, cores |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var p in passes)
        {
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {p.Name}{(p.Force ? " (`force`)" : "")} | {p.Seconds:F2} | **{p.Seconds / first.Seconds:P1}** | {p.Cpu.OwnSeconds:F1} | " +
                $"{(first.Cpu.OwnSeconds > 0 ? p.Cpu.OwnSeconds / first.Cpu.OwnSeconds : 0):P1} | {p.Run.Indexed} | {p.Run.Skipped} | {p.Fetches} | " +
                $"{p.Embedded} | {p.Cpu.OtherCores:F2} |");
        }
        foreach (var p in passes.Where(p => p.Run.Failed > 0 || p.Run.Status != ReindexRunStatus.Done))
        {
            s.AppendLine().Append(CultureInfo.InvariantCulture, $"{p.Name}: {p.Run.Status}, {p.Run.Failed} failed. {p.Run.Error}");
        }
        return s.ToString();
    }

    private sealed record Pass(string Name, bool Force, double Seconds, (double OwnSeconds, double OtherCores) Cpu, ReindexRun Run,
        int Fetches, long Embedded);
}
