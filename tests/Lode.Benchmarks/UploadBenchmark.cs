using System.Diagnostics;
using System.Globalization;
using System.Text;
using Lode.Audit;
using Lode.Cli;
using Lode.Identity;
using Lode.Storage;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Minio;
using Minio.DataModel.Args;

namespace Lode.Benchmarks;

/// <summary>
/// Uploading the same files two ways in one run, against the same real S3 server (infra/local/s3) and the standalone
/// app on Kestrel over a fresh database:
/// <list type="number">
/// <item>Bare: the Minio SDK's PutObject of each file with the store's credentials, as an operator who has them would.</item>
/// <item>Through Lode: what <c>lode upload</c> does with an API key: <c>POST api/uploads</c> over HTTP (the app checks
/// the file and signs a PUT: <see cref="LodeApi"/>, as the CLI calls it), then the bytes PUT to the presigned URL
/// (<see cref="PresignedPut"/>, the CLI's own code).</item>
/// </list>
/// Files go one at a time, as the CLI sends them. The S3 server sends no notifications and the queue worker is off, so
/// no indexing competes for the CPU while the uploads are timed. Every pass writes its own keys
/// (<c>run{n}/{path}/{file}</c>), so the grant never answers object_exists; the two paths alternate which goes first
/// from run to run, so a burst of load from other users of the machine does not fall on one path only. One untimed
/// pass of each path first (JIT, connection pools, the SDK's bucket-region lookup).
/// <para>Where the grant's time goes: after the two passes of each run, the grant's parts are timed alone, once per
/// file: the HTTP round trip with authentication (<c>GET api/uploads</c>, which does no I/O), each of the two store
/// requests the grant sends (bucket exists; stat of the key, which is not there), its audit row, and the signing.</para>
/// </summary>
internal static class UploadBenchmark
{
    private const string Bare = "bare";
    private const string ThroughLode = "lode";

    public static async Task<int> RunAsync(string[] args)
    {
        if (BenchmarkArguments.Parse(args) is not { } arguments) return 2;
        var files = arguments.CorpusFiles().Select(f => new FileInfo(f)).ToList();
        if (files.Count == 0)
        {
            Console.Error.WriteLine($"No files in {arguments.CorpusFolder}.");
            return 1;
        }

        Console.Error.WriteLine($"Starting the S3 server (no notifications), a fresh database and the app; {files.Count} files from {arguments.CorpusFolder}");
        await using var stack = await StartStackAsync(arguments.Settings);
        using var bench = new Bench(stack);

        await bench.PassAsync(Bare, "warmup", files);
        await bench.PassAsync(ThroughLode, "warmup", files);
        Console.Error.WriteLine("Warmed up");

        var runs = new List<Run>();
        for (var run = 1; run <= arguments.Runs; run++)
        {
            // Odd runs put the bare path first, even runs the grant path.
            string[] order = run % 2 == 1 ? [Bare, ThroughLode] : [ThroughLode, Bare];
            var passes = new Dictionary<string, Pass>();
            foreach (var path in order) passes[path] = await bench.PassAsync(path, $"run{run}", files);
            runs.Add(new Run(run, order[0], passes[Bare], passes[ThroughLode], await bench.GrantPartsAsync($"run{run}", files)));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"run {run}: bare {passes[Bare].Seconds:F3} s, through Lode {passes[ThroughLode].Seconds:F3} s, ratio {runs[^1].Ratio:F2}"));
        }

        var mismatches = await bench.CountMismatchesAsync(files, runs.Count);
        var queued = await stack.Database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs");
        var documents = await stack.Database.ScalarAsync<long>("SELECT count(*) FROM documents");
        var table = Report(arguments.CorpusFolder, files, runs, mismatches, queued, documents);
        Console.WriteLine(table);
        await arguments.WriteOutputAsync(table);
        return mismatches == 0 ? 0 : 1;
    }

    /// <summary>The stack over a database named like the other benchmarks' (dropped with the stack, or if it fails to start).</summary>
    private static async Task<LodeStack> StartStackAsync(IReadOnlyList<string> settings)
    {
        var database = await TestDatabase.CreateAsync(migrate: false, namePrefix: "lode_bench_");
        try
        {
            return await LodeStack.StartWithoutNotificationsAsync(database, null,
                ["--Logging:LogLevel:Default=Warning", "--Ingestion:WorkerEnabled=false", .. settings]);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    private static string Report(string folder, List<FileInfo> files, List<Run> runs, int mismatches, long queued, long documents)
    {
        var bytes = files.Sum(f => f.Length);
        var kinds = string.Join(", ", files.GroupBy(f => f.Extension.ToLowerInvariant())
            .OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} {(g.Key.Length > 0 ? g.Key[1..] : "other")}"));
        var bare = runs.Select(r => r.Bare).ToList();
        var lode = runs.Select(r => r.ThroughLode).ToList();
        var bareSeconds = Median(bare.Select(p => p.Seconds));
        var lodeSeconds = Median(lode.Select(p => p.Seconds));
        var grantSeconds = Median(lode.Select(p => p.GrantSeconds));
        var putSeconds = Median(lode.Select(p => p.Seconds - p.GrantSeconds));

        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Corpus: {Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)))} — {files.Count} files ({kinds}), " +
            $"{bytes:N0} bytes ({bytes / files.Count / 1024.0:F0} KiB on average, largest {files.Max(f => f.Length) / 1024.0:F0} KiB); " +
            $"{runs.Count} runs, one file at a time, the paths alternating which goes first.");
        s.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine.Description()}.");
        s.AppendLine();
        s.AppendLine("| path | files | bytes | median s per pass | files/s | MiB/s | per-file p50 ms | per-file p95 ms | CPU s, ours (median) | (b) ÷ (a) |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"| (a) bare: Minio SDK PutObject | {files.Count} | {bytes:N0} | {bareSeconds:F3} | {files.Count / bareSeconds:F1} | " +
            $"{bytes / bareSeconds / (1 << 20):F1} | {Percentile(bare, f => f.TotalMs, 50):F1} | {Percentile(bare, f => f.TotalMs, 95):F1} | " +
            $"{Median(bare.Select(p => p.Cpu.OwnSeconds)):F2} | 1.00 |");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"| (b) through Lode: POST api/uploads + presigned PUT | {files.Count} | {bytes:N0} | {lodeSeconds:F3} | {files.Count / lodeSeconds:F1} | " +
            $"{bytes / lodeSeconds / (1 << 20):F1} | {Percentile(lode, f => f.TotalMs, 50):F1} | {Percentile(lode, f => f.TotalMs, 95):F1} | " +
            $"{Median(lode.Select(p => p.Cpu.OwnSeconds)):F2} | **{lodeSeconds / bareSeconds:F2}** |");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"| (b), grant round trip alone (POST api/uploads) | | | {grantSeconds:F3} | | | {Percentile(lode, f => f.GrantMs, 50):F1} | " +
            $"{Percentile(lode, f => f.GrantMs, 95):F1} | | {grantSeconds / bareSeconds:F2} |");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"| (b), presigned PUT alone | | | {putSeconds:F3} | | | {Percentile(lode, f => f.TotalMs - f.GrantMs, 50):F1} | " +
            $"{Percentile(lode, f => f.TotalMs - f.GrantMs, 95):F1} | | {putSeconds / bareSeconds:F2} |");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture,
            $"The grant round trip is **{Median(lode.Select(p => p.GrantSeconds / p.Seconds)):P0}** of (b)'s time (median over the runs; " +
            $"per file, median: {Median(lode.SelectMany(p => p.Files).Select(f => f.GrantMs / f.TotalMs)):P0}). " +
            $"Per-file percentiles are over every file of every run; (b) ÷ (a) divides median pass times.");
        s.AppendLine();
        s.AppendLine("| run | first | (a) s | (b) s | (b) ÷ (a) | grant share of (b) | other load, cores: (a) / (b) |");
        s.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var r in runs)
        {
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Number} | {(r.First == Bare ? "(a)" : "(b)")} | {r.Bare.Seconds:F3} | {r.ThroughLode.Seconds:F3} | {r.Ratio:F2} | " +
                $"{r.ThroughLode.GrantSeconds / r.ThroughLode.Seconds:P0} | {r.Bare.Cpu.OtherCores:F2} / {r.ThroughLode.Cpu.OtherCores:F2} |");
        }

        s.AppendLine();
        s.AppendLine("Where the grant's time goes: its parts timed alone in the same runs, once per file after the two passes.");
        s.AppendLine();
        s.AppendLine("| part of POST api/uploads | p50 ms | p95 ms | share of the grant's p50 |");
        s.AppendLine("|---|---:|---:|---:|");
        var grantP50 = Percentile(lode, f => f.GrantMs, 50);
        var parts = runs.SelectMany(r => r.GrantParts).ToList();
        var named = new (string Name, Func<GrantParts, double> Value)[]
        {
            ("HTTP round trip to the app + authentication (GET api/uploads, no I/O)", p => p.HttpMs),
            ("store: bucket exists (HEAD bucket)", p => p.BucketMs),
            ("store: stat of the key, not found (HEAD object → 404)", p => p.StatMs),
            ("audit row (one INSERT)", p => p.AuditMs),
            ("signing the PUT (local)", p => p.SigningMs),
        };
        foreach (var (name, value) in named)
        {
            var p50 = ChatOverheadBenchmark.Percentile(parts.Select(value).ToList(), 50);
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {p50:F1} | {ChatOverheadBenchmark.Percentile(parts.Select(value).ToList(), 95):F1} | {p50 / grantP50:P0} |");
        }

        var rest = grantP50 - named.Sum(n => ChatOverheadBenchmark.Percentile(parts.Select(n.Value).ToList(), 50));
        s.AppendLine(CultureInfo.InvariantCulture, $"| the rest: the whole's p50 − the parts' p50s (body, key and format checks, response; approximate) | {rest:F1} | | {rest / grantP50:P0} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| *the grant, whole* | {grantP50:F1} | {Percentile(lode, f => f.GrantMs, 95):F1} | 100 % |");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture,
            $"CPU s, ours: this process (client and app), its S3 server and its database backends during the pass. Other load: CPU " +
            $"that other processes took during the pass, in cores (of {Environment.ProcessorCount}). Checked after the runs: " +
            $"{(mismatches == 0 ? "every object is in the store at its file's size" : $"{mismatches} objects missing or of the wrong size")}; " +
            $"{queued} ingest jobs queued and {documents} documents indexed (notifications off, Ingestion:WorkerEnabled=false).");
        return s.ToString();
    }

    private static double Median(IEnumerable<double> values) => ChatOverheadBenchmark.Percentile(values.ToList(), 50);

    private static double Percentile(List<Pass> passes, Func<FileTiming, double> value, int percentile) =>
        ChatOverheadBenchmark.Percentile(passes.SelectMany(p => p.Files).Select(value).ToList(), percentile);

    /// <summary>The two upload paths over the stack; each pass sends every file once, one after the other.</summary>
    private sealed class Bench(LodeStack stack) : IDisposable
    {
        // The admin caller of the API key, for the audit rows the grant's parts write.
        private static readonly Caller Admin = Caller.Create("admin", AuthenticationMethods.ApiKey, ["lode-admins"], "lode-admins");

        // The operator's own client, with the store's credentials: not the app's.
        private readonly IMinioClient _operator = new MinioClient()
            .WithEndpoint(stack.S3.Endpoint).WithCredentials(stack.S3.AccessKey, stack.S3.SecretKey).Build();

        // The CLI's client of the app, with an admin key (admins may always upload).
        private readonly LodeApi _api = LodeApi.Create(new Uri($"http://127.0.0.1:{stack.Port}/"), LodeStack.AdminApiKey);

        public async Task<Pass> PassAsync(string path, string prefix, List<FileInfo> files)
        {
            var backends = await DatabaseBackendsAsync();
            var cpu = CpuAccount.Take(backends);
            var timings = new List<FileTiming>(files.Count);
            var started = Stopwatch.GetTimestamp();
            foreach (var file in files)
            {
                var key = Key(prefix, path, file);
                timings.Add(path == Bare ? await PutBareAsync(file, key) : await PutThroughLodeAsync(file, key));
            }

            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            return new Pass(seconds, timings, CpuAccount.Between(cpu, CpuAccount.Take(backends), seconds));
        }

        /// <summary>Objects of the timed runs that are missing from the store or not at their file's size.</summary>
        public async Task<int> CountMismatchesAsync(List<FileInfo> files, int runs)
        {
            var mismatches = 0;
            for (var run = 1; run <= runs; run++)
            {
                foreach (var path in new[] { Bare, ThroughLode })
                {
                    foreach (var file in files)
                    {
                        var info = await stack.Store.StatAsync(LodeStack.Bucket, Key($"run{run}", path, file), CancellationToken.None);
                        if (info?.Size != file.Length) mismatches++;
                    }
                }
            }

            return mismatches;
        }

        private static string Key(string prefix, string path, FileInfo file) => $"{prefix}/{path}/{file.Name}";

        private async Task<FileTiming> PutBareAsync(FileInfo file, string key)
        {
            var started = Stopwatch.GetTimestamp();
            await using (var content = file.OpenRead())
            {
                await _operator.PutObjectAsync(new PutObjectArgs().WithBucket(LodeStack.Bucket).WithObject(key)
                    .WithStreamData(content).WithObjectSize(file.Length).WithContentType("application/octet-stream"));
            }

            return new FileTiming(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 0);
        }

        /// <summary>As <c>lode upload</c> sends one file: the grant (the CLI's request body), then the presigned PUT.</summary>
        private async Task<FileTiming> PutThroughLodeAsync(FileInfo file, string key)
        {
            var started = Stopwatch.GetTimestamp();
            var grant = await _api.PostAsync("api/uploads",
                new { bucket = LodeStack.Bucket, key, sizeBytes = file.Length, groups = (string[]?)null, overwrite = false }, CancellationToken.None);
            var granted = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            await PresignedPut.SendAsync(grant, file, key, CancellationToken.None);
            return new FileTiming(Stopwatch.GetElapsedTime(started).TotalMilliseconds, granted);
        }

        /// <summary>The grant's parts, each timed alone, once per file (keys of their own, which do not exist).</summary>
        public async Task<List<GrantParts>> GrantPartsAsync(string prefix, List<FileInfo> files)
        {
            var store = stack.Store;
            var audit = stack.App.Services.GetRequiredService<AuditLog>();
            var links = stack.App.Services.GetRequiredService<PresignedLinks>();
            var parts = new List<GrantParts>(files.Count);
            foreach (var file in files)
            {
                var key = Key(prefix, "parts", file);
                var started = Stopwatch.GetTimestamp();
                await _api.GetAsync("api/uploads", CancellationToken.None);
                var http = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

                started = Stopwatch.GetTimestamp();
                await store.BucketExistsAsync(LodeStack.Bucket, CancellationToken.None);
                var bucket = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

                started = Stopwatch.GetTimestamp();
                await store.StatAsync(LodeStack.Bucket, key, CancellationToken.None);
                var stat = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

                started = Stopwatch.GetTimestamp();
                await audit.RecordAsync(new AuditEntry(Admin, AuditSurfaces.Uploads, null, null, null,
                    [new AuditSource(LodeStack.Bucket, key, 0)], AuditOutcomes.Ok), CancellationToken.None);
                var row = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

                started = Stopwatch.GetTimestamp();
                await links.ForWritingAsync(LodeStack.Bucket, key, new Dictionary<string, string>());
                parts.Add(new GrantParts(http, bucket, stat, row, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
            }

            return parts;
        }

        private Task<List<int>> DatabaseBackendsAsync() => AppServices.DatabaseBackendsAsync(stack.Database);

        public void Dispose()
        {
            _api.Dispose();
            _operator.Dispose();
        }
    }

    /// <summary>One file: from the start of its upload until the store answered; for (b) also until the grant arrived.</summary>
    private sealed record FileTiming(double TotalMs, double GrantMs);

    private sealed record Pass(double Seconds, List<FileTiming> Files, (double OwnSeconds, double OtherCores) Cpu)
    {
        public double GrantSeconds => Files.Sum(f => f.GrantMs) / 1000;
    }

    /// <summary>The grant's parts for one file, each timed alone.</summary>
    private sealed record GrantParts(double HttpMs, double BucketMs, double StatMs, double AuditMs, double SigningMs);

    private sealed record Run(int Number, string First, Pass Bare, Pass ThroughLode, List<GrantParts> GrantParts)
    {
        /// <summary>Time through Lode ÷ bare time on the same files.</summary>
        public double Ratio => ThroughLode.Seconds / Bare.Seconds;
    }
}
