using System.Diagnostics;
using System.Globalization;
using System.Text;
using Lode.Database;
using Lode.Embeddings;
using Lode.Functions;
using Lode.Ingestion;
using Lode.Ingestion.Chunking;
using Lode.Ingestion.Pipeline;
using Lode.Ingestion.Queue;
using Lode.Storage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lode.Benchmarks;

/// <summary>
/// Ingest throughput of the whole pipeline against the bare embedder on the same chunks, in one run. The documents of a
/// folder go into a real S3 server (infra/local/s3, as the tests start it) and a fresh, migrated database; the services
/// are the app's own registration (<see cref="LodeServices.AddLode"/>) in a generic host, so the queue worker, pipeline
/// steps, embedder and index writer are exactly what production runs, with its default settings unless overridden.
/// <list type="number">
/// <item>Pipeline: one job per object is enqueued and the real <see cref="IngestWorker"/> drains the queue. Wall time,
/// documents, pages, chunks; per-step times come from the pipeline's own metrics (<see cref="IngestMetrics"/>).</item>
/// <item>Bare embedder: the chunk texts the pipeline stored, read back from the database, grouped per document as the
/// embed step sent them (distinct texts, in order), embedded by the same generator instance (same threads and batch
/// size) with as many concurrent callers as the worker runs documents (<c>Ingestion:MaxConcurrency</c>).</item>
/// </list>
/// The ratio is pipeline chunks/s ÷ bare embedder chunks/s over the same chunk texts (i.e. bare time ÷ pipeline time):
/// 1.0 would mean fetching, extracting, chunking and storing cost nothing on top of embedding.
/// A small document is ingested first (untimed) so that JIT compilation and the model's first run are not measured.
/// </summary>
internal static class IngestBenchmark
{
    private const string Bucket = "bench";
    private const string WarmupBucket = "warmup";
    private static readonly string[] Steps =
        [IngestStepNames.Fetch, IngestStepNames.Extract, IngestStepNames.Chunk, IngestStepNames.Embed, IngestStepNames.Store];

    public static async Task<int> RunAsync(string[] args)
    {
        if (BenchmarkArguments.Parse(args) is not { } arguments)
        {
            return 2;
        }

        var folder = arguments.CorpusFolder;
        var files = arguments.CorpusFiles();
        if (files.Length == 0)
        {
            Console.Error.WriteLine($"No files in {folder}.");
            return 1;
        }

        Console.Error.WriteLine($"Starting the S3 server and a fresh database; {files.Length} files from {folder}");
        await using var app = await AppServices.StartAsync([Bucket, WarmupBucket], arguments.Settings);
        using var recorder = new PipelineRecorder();
        var bench = new Bench(app, recorder);
        var keys = await app.UploadAsync(Bucket, files);
        Console.Error.WriteLine($"Uploaded {keys.Count} objects; warming up");
        await bench.WarmUpAsync(files.MinBy(f => new FileInfo(f).Length)!);

        var results = new List<RunResult>();
        for (var run = 1; run <= arguments.Runs; run++)
        {
            var result = await bench.RunOnceAsync(keys, run);
            results.Add(result);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"run {run}: pipeline {result.PipelineSeconds:F1} s, bare embedder {result.BareSeconds:F1} s, ratio {result.Ratio:F2}"));
        }

        var table = Report(folder, bench, results);
        Console.WriteLine(table);
        await arguments.WriteOutputAsync(table);
        return results.All(r => r.Failed.Count == 0) ? 0 : 1;
    }

    private static string Report(string folder, Bench bench, List<RunResult> results)
    {
        var first = results[0];
        var s = new StringBuilder();
        var kinds = string.Join(", ", first.Documents.GroupBy(d => Path.GetExtension(d.Key).ToLowerInvariant())
            .OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} {(g.Key.Length > 0 ? g.Key[1..] : "other")}"));
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Corpus: {Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)))} — {first.Documents.Count} documents ({kinds}), " +
            $"{first.Pages} pages, {first.Chunks} chunks of {first.AverageTokens:F0} tokens on average ({first.EmbeddedTexts} distinct texts per document embedded).");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Settings: Ingestion:MaxConcurrency {bench.Concurrency}, Embeddings:Threads {bench.Embedding.Threads} (0 = ONNX Runtime's default), " +
            $"Embeddings:BatchSize {bench.Embedding.BatchSize}, Chunking:MaxTokens {bench.Chunking.MaxTokens}.");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Machine: {Machine.Description()}.");
        s.AppendLine();
        s.AppendLine("| run | pipeline s | docs/s | pages/s | chunks/s | bare embedder s | bare chunks/s | ratio | CPU s, ours: pipeline / bare | CPU ratio | other load, cores: pipeline / bare | VACUUM after, s |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Run} | {r.PipelineSeconds:F1} | {r.Documents.Count / r.PipelineSeconds:F2} | {r.Pages / r.PipelineSeconds:F1} | " +
                $"{r.EmbeddedTexts / r.PipelineSeconds:F1} | {r.BareSeconds:F1} | {r.EmbeddedTexts / r.BareSeconds:F1} | **{r.Ratio:F2}** | " +
                $"{r.PipelineCpu.OwnSeconds:F0} / {r.BareCpu.OwnSeconds:F0} | {r.CpuRatio:F2} | {r.PipelineCpu.OtherCores:F2} / {r.BareCpu.OtherCores:F2} | {r.VacuumSeconds:F1} |");
        }

        if (results.Count > 1)
        {
            // Other users of the machine only ever slow a pass down: the fastest of each is the least disturbed.
            var pipeline = results.Min(r => r.PipelineSeconds);
            var bare = results.Min(r => r.BareSeconds);
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| best | {pipeline:F1} | {first.Documents.Count / pipeline:F2} | {first.Pages / pipeline:F1} | {first.EmbeddedTexts / pipeline:F1} | " +
                $"{bare:F1} | {first.EmbeddedTexts / bare:F1} | **{bare / pipeline:F2}** | | | | |");
        }

        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Ratio: pipeline chunks/s ÷ bare embedder chunks/s on the same {first.EmbeddedTexts} chunk texts (bare s ÷ pipeline s). " +
            $"CPU s, ours: this process, its S3 server and its database backends; CPU ratio: bare ÷ pipeline in that CPU time. " +
            $"Other load: CPU that other processes on the machine took during the pass, in cores (of {Environment.ProcessorCount}). " +
            $"VACUUM after: `VACUUM ANALYZE chunks` run between the passes (untimed), the work autovacuum would otherwise do later.");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Where the time goes: each step's time summed over the documents (the worker runs {bench.Concurrency} at once, so the " +
            $"sums add up to wall time × {bench.Concurrency}); share of that worker time; milliseconds per chunk.");
        s.AppendLine();
        s.Append("| step |");
        foreach (var r in results) s.Append(CultureInfo.InvariantCulture, $" run {r.Run} s | share | ms/chunk |");
        s.AppendLine();
        s.Append("|---|");
        foreach (var _ in results) s.Append("---:|---:|---:|");
        s.AppendLine();
        foreach (var step in Steps.Append("other"))
        {
            s.Append(CultureInfo.InvariantCulture, $"| {(step == "other" ? "other (stat, state lookup, leasing, idle slots)" : step)} |");
            foreach (var r in results)
            {
                var seconds = step == "other" ? r.WorkerSeconds - r.StepSeconds.Values.Sum() : r.StepSeconds.GetValueOrDefault(step);
                s.Append(CultureInfo.InvariantCulture,
                    $" {seconds:F1} | {seconds / r.WorkerSeconds:P0} | {1000 * seconds / r.EmbeddedTexts:F1} |");
            }

            s.AppendLine();
        }

        s.Append("| *bare embedder, same chunks* |");
        foreach (var r in results)
        {
            s.Append(CultureInfo.InvariantCulture,
                $" {r.BareCallSeconds:F1} | {r.BareCallSeconds / (r.BareSeconds * bench.Concurrency):P0} | {1000 * r.BareCallSeconds / r.EmbeddedTexts:F1} |");
        }

        s.AppendLine();
        foreach (var failed in results.SelectMany(r => r.Failed.Select(f => (r.Run, f))))
        {
            s.AppendLine().Append(CultureInfo.InvariantCulture, $"Run {failed.Run}: not indexed: {failed.f}");
        }

        return s.ToString();
    }

    /// <summary>The benchmark's steps over the host's services.</summary>
    private sealed class Bench(AppServices app, PipelineRecorder recorder)
    {
        private readonly IObjectStore _store = app.Services.GetRequiredService<IObjectStore>();
        private readonly JobQueue _queue = app.Services.GetRequiredService<JobQueue>();
        private readonly IngestSignal _signal = app.Services.GetRequiredService<IngestSignal>();
        private readonly IEmbeddingGenerator<string, Embedding<float>> _generator =
            app.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        public int Concurrency { get; } = app.Services.GetRequiredService<IOptions<IngestionOptions>>().Value.MaxConcurrency;
        public EmbeddingOptions Embedding { get; } = app.Services.GetRequiredService<IOptions<EmbeddingOptions>>().Value;
        public ChunkingOptions Chunking { get; } = app.Services.GetRequiredService<IOptions<ChunkingOptions>>().Value;

        /// <summary>Ingests one file into another bucket: JIT, connection pools and the model's first run, untimed.</summary>
        public async Task WarmUpAsync(string file)
        {
            await using (var stream = File.OpenRead(file))
            {
                await _store.PutAsync(WarmupBucket, Path.GetFileName(file), stream, "application/octet-stream", CancellationToken.None);
            }

            await DrainAsync([new JobRequest(WarmupBucket, Path.GetFileName(file), "benchmark warm-up")]);
            await _generator.GenerateAsync(["warm-up"]);
        }

        public async Task<RunResult> RunOnceAsync(List<string> keys, int run)
        {
            // A fresh index each run: otherwise unchanged objects are skipped and unchanged chunks reuse their vectors.
            await app.Database.ExecuteAsync("DELETE FROM documents WHERE bucket = $1", Bucket);
            await app.Database.ExecuteAsync("VACUUM ANALYZE chunks");

            recorder.Reset();
            var backends = await app.DatabaseBackendsAsync();
            var cpu = CpuAccount.Take(backends);
            var watch = Stopwatch.StartNew();
            await DrainAsync(keys.Select(k => new JobRequest(Bucket, k, "benchmark")).ToList());
            var pipelineSeconds = watch.Elapsed.TotalSeconds;
            var pipelineCpu = CpuAccount.Between(cpu, CpuAccount.Take(backends), pipelineSeconds);
            var steps = recorder.StepSeconds();

            // Work the inserts left for later (GIN pending list, visibility map, statistics) would otherwise fall to
            // autovacuum during the bare pass and slow it down: do it now, untimed but reported.
            watch.Restart();
            await app.Database.ExecuteAsync("VACUUM ANALYZE chunks");
            var vacuumSeconds = watch.Elapsed.TotalSeconds;

            var documents = await ReadDocumentsAsync();
            var texts = await ReadEmbeddedTextsAsync();

            cpu = CpuAccount.Take(backends);
            var (bareSeconds, bareCallSeconds) = await EmbedBareAsync(texts);
            var bareCpu = CpuAccount.Between(cpu, CpuAccount.Take(backends), bareSeconds);

            var embedded = texts.Sum(t => t.Count);
            if (embedded != recorder.Embedded)
            {
                Console.Error.WriteLine($"Note: the pipeline embedded {recorder.Embedded} texts, the bare pass {embedded}.");
            }

            var indexed = documents.Where(d => d.Status == "indexed").ToList();
            return new RunResult(run, indexed, indexed.Sum(d => d.Pages), indexed.Sum(d => d.Chunks), embedded,
                await app.Database.ScalarAsync<decimal>(
                    "SELECT coalesce(avg(c.token_count), 0) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.bucket = $1", Bucket),
                pipelineSeconds, pipelineSeconds * Concurrency, pipelineCpu, vacuumSeconds, steps, bareSeconds, bareCallSeconds, bareCpu,
                documents.Where(d => d.Status != "indexed").Select(d => $"{d.Key} ({d.Status}: {d.Error})").ToList());
        }

        /// <summary>Enqueues the jobs, wakes the worker and waits until it has finished every one of them.</summary>
        private async Task DrainAsync(IReadOnlyCollection<JobRequest> jobs)
        {
            var finishedBefore = recorder.Finished;
            await _queue.EnqueueAsync(jobs, CancellationToken.None);
            _signal.Notify();
            for (var polls = 1; ; polls++)
            {
                await Task.Delay(10);
                if (recorder.Finished - finishedBefore >= jobs.Count) return;
                // A job that failed transiently is retried later without counting as finished: the queue tells the truth.
                if (polls % 100 == 0 && await app.Database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs") == 0) return;
            }
        }

        private async Task<List<(string Key, string Status, int Pages, int Chunks, string? Error)>> ReadDocumentsAsync()
        {
            var documents = new List<(string, string, int, int, string?)>();
            await using var command = app.Database.DataSource.CreateCommand(
                "SELECT key, status, coalesce(pages, 0), coalesce(chunk_count, 0), error FROM documents WHERE bucket = $1");
            command.Parameters.Add(new() { Value = Bucket });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                documents.Add((reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4)));
            }

            return documents.OrderBy(d => d.Item1, StringComparer.Ordinal).ToList();
        }

        /// <summary>
        /// Per document, in the order the worker took them (key order, as enqueued), the texts its embed step sent to the
        /// model: its chunks in order, each distinct text once.
        /// </summary>
        private async Task<List<List<string>>> ReadEmbeddedTextsAsync()
        {
            var byDocument = new Dictionary<string, List<(byte[] Hash, string Text)>>(StringComparer.Ordinal);
            await using var command = app.Database.DataSource.CreateCommand("""
                SELECT d.key, c.content_hash, c.context, c.content FROM chunks c JOIN documents d ON d.id = c.document_id
                WHERE d.bucket = $1 ORDER BY d.id, c.ordinal
                """);
            command.Parameters.Add(new() { Value = Bucket });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var key = reader.GetString(0);
                if (!byDocument.TryGetValue(key, out var chunks)) byDocument[key] = chunks = [];
                // What the embed step sent: the context line (title › headings) and the text.
                chunks.Add((reader.GetFieldValue<byte[]>(1), Lode.Ingestion.Chunking.TextChunk.EmbeddingInputOf(reader.GetString(2), reader.GetString(3))));
            }

            return byDocument.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => p.Value.DistinctBy(c => Convert.ToHexString(c.Hash)).Select(c => c.Text).ToList())
                .ToList();
        }

        /// <summary>One embedding call per document, <see cref="Concurrency"/> documents at a time, as the worker does.</summary>
        private async Task<(double Wall, double CallSeconds)> EmbedBareAsync(List<List<string>> documents)
        {
            var next = -1;
            var callTicks = 0L;
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < documents.Count)
                {
                    if (documents[i].Count == 0) continue;
                    var started = Stopwatch.GetTimestamp();
                    await _generator.GenerateAsync(documents[i]);
                    Interlocked.Add(ref callTicks, Stopwatch.GetTimestamp() - started);
                }
            })));
            return (watch.Elapsed.TotalSeconds, (double)callTicks / Stopwatch.Frequency);
        }
    }

    private sealed record RunResult(
        int Run,
        List<(string Key, string Status, int Pages, int Chunks, string? Error)> Documents,
        int Pages,
        int Chunks,
        int EmbeddedTexts,
        decimal AverageTokens,
        double PipelineSeconds,
        double WorkerSeconds,
        (double OwnSeconds, double OtherCores) PipelineCpu,
        double VacuumSeconds,
        Dictionary<string, double> StepSeconds,
        double BareSeconds,
        double BareCallSeconds,
        (double OwnSeconds, double OtherCores) BareCpu,
        List<string> Failed)
    {
        /// <summary>Pipeline chunks/s ÷ bare chunks/s on the same texts.</summary>
        public double Ratio => BareSeconds / PipelineSeconds;

        /// <summary>The same in CPU time of our processes, which other users of the machine barely change.</summary>
        public double CpuRatio => BareCpu.OwnSeconds / PipelineCpu.OwnSeconds;
    }
}
