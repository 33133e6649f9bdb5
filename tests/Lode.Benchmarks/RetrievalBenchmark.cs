using System.Diagnostics;
using System.Globalization;
using System.Text;
using Lode.Benchmarks.Synthetic;
using Lode.Database;
using Lode.Database.Generations;
using Lode.Retrieval;
using Lode.Tests.Retrieval;
using Lode.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lode.Benchmarks;

/// <summary>
/// Retrieval latency and HNSW recall at scale. Builds a fresh database with --rows chunks (100,000) of embedding-like
/// vectors around --clusters topic centres and short texts drawn from a Zipf-distributed word list, each topic with
/// words of its own; 1,000 documents in 10 buckets. --data picks the vectors' shape (<see cref="SyntheticCorpus"/>):
/// hierarchical (default: topic → document → chunk along a few directions, fitted to real embeddings) or isotropic
/// (the first published figures). Then, for --queries queries (200), times hybrid, vector (HNSW), exact and text search through <see cref="HybridRetriever"/> (query vectors
/// given directly: embedding time is not included), and measures recall@10 of HNSW against exact search, with no
/// filter and with a bucket filter that keeps 10% of the rows (a random bucket; on the hierarchical data also the bucket of the document a query asks about). Prints a markdown table (--out FILE writes it too).
/// Also prints the load (COPY) and HNSW build times, the memory the build may use, table and index sizes, and how many
/// chunks the full-text list ranked per query (from EXPLAIN ANALYZE). 1,000,000 rows take ~1 hour here (not in CI).
/// Options: --pg CONNECTION (LODE_TEST_PG or the local default), --rows, --clusters, --queries, --seed, --keep true,
/// --maintenance-work-mem (2GB: the graph of 1M 384-d vectors must fit, or the build slows down many times),
/// --parallel-workers (max_parallel_maintenance_workers for the build; PostgreSQL's default 2), --ef-search (the
/// retriever's hnsw.ef_search, 100; --iterative-scan sets hnsw.iterative_scan, relaxed_order; a list such as 40,100,200 adds rows for the others), --text-budget / --text-cap / --text-scan (Retrieval:TextCandidateBudget / TextCandidateCap / TextCandidateScan; a list of scans such as 4000,1000000 adds hybrid and text rows for the others), --exact-queries N (exact search, the recall ground truth, for the first N queries
/// only: at 1M chunks one exact search reads the whole table, ~10 s here), --reuse NAME (measure a database an earlier
/// run kept with --keep true, without loading or building again: levers such as --ef-search on the same index).
/// </summary>
internal static class RetrievalBenchmark
{
    private const int Dimensions = SyntheticCorpus.Dimensions;
    private const int Documents = SyntheticCorpus.Documents;
    private const int Buckets = SyntheticCorpus.Buckets;
    private const int Top = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = ParseOptions(args);
        var server = options.GetValueOrDefault("pg")
            ?? (Environment.GetEnvironmentVariable("LODE_TEST_PG") is { Length: > 0 } pg ? pg : "Host=127.0.0.1;Port=54329;Username=lode;Password=lode;Database=lode");
        var rows = Int(options, "rows", 100_000);
        var clusters = Int(options, "clusters", 300);
        var queryCount = Int(options, "queries", 200);
        var seed = Int(options, "seed", 42);
        var keep = options.GetValueOrDefault("keep") == "true";
        var buildMemory = options.GetValueOrDefault("maintenance-work-mem") ?? "2GB";
        var parallelWorkers = Int(options, "parallel-workers", 2);
        var defaults = new RetrievalOptions();
        // Several values ("40,100,200"): the first is the table's; each other adds its own HNSW and hybrid rows,
        // measured against the same exact results.
        var efSearches = (options.GetValueOrDefault("ef-search") ?? defaults.EfSearch.ToString(CultureInfo.InvariantCulture))
            .Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToList();
        var efSearch = efSearches[0];
        var iterativeScan = options.GetValueOrDefault("iterative-scan") ?? defaults.IterativeScan;
        var textCap = Int(options, "text-cap", defaults.TextCandidateCap);
        var textBudget = Int(options, "text-budget", defaults.TextCandidateBudget);
        var textScans = (options.GetValueOrDefault("text-scan") ?? defaults.TextCandidateScan.ToString(CultureInfo.InvariantCulture))
            .Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToList();
        var exactCount = Math.Min(queryCount, Int(options, "exact-queries", queryCount));
        var reuse = options.GetValueOrDefault("reuse");
        var data = options.GetValueOrDefault("data") ?? SyntheticCorpus.Names[0];

        var total = Stopwatch.StartNew();
        var name = reuse ?? "lode_bench_" + Guid.NewGuid().ToString("N")[..8];
        if (reuse is null) await ExecuteAsync(server, $"CREATE DATABASE {name}");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, CommandTimeout = 0 }.ConnectionString;
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.UseVector();
        var dataSource = builder.Build();
        try
        {
            var corpus = SyntheticCorpus.Create(data, seed, clusters, rows);
            (TimeSpan Copy, TimeSpan Index)? load = null;
            if (reuse is null)
            {
                await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(new SchemaParameters(Dimensions), default);
                await new GenerationSwitch(dataSource, new GenerationVectorIndexes(dataSource, NullLogger<GenerationVectorIndexes>.Instance))
                    .EnsureFirstAsync(TestDatabase.Model, Dimensions, default);
                load = await LoadAsync(dataSource, corpus, rows, buildMemory, parallelWorkers);
                Console.Error.WriteLine($"loaded {rows} chunks in {load.Value.Copy.TotalSeconds:F0} s, HNSW built in {load.Value.Index.TotalSeconds:F0} s");
            }
            else
            {
                // The same seed replays the same corpus: its chunks are drawn first, so the queries below are the same.
                for (var i = 0; i < rows; i++) corpus.Chunk();
            }
            var sizes = await SizesAsync(dataSource);

            var queries = Enumerable.Range(0, queryCount).Select(_ => corpus.Query()).ToList();
            var embedder = new NoEmbedder();
            HybridRetriever Retriever(string iterativeScan, int ef, int textScan) =>
                ChunkSeeder.Retriever(dataSource, embedder, new RetrievalOptions
                {
                    IterativeScan = iterativeScan, EfSearch = ef, TextCandidateCap = textCap, TextCandidateBudget = textBudget,
                    TextCandidateScan = textScan,
                });
            var retriever = Retriever(iterativeScan, efSearch, textScans[0]);
            var noIterative = Retriever("off", efSearch, textScans[0]);
            var otherEf = efSearches.Skip(1).Select(ef => (Ef: ef, Retriever: Retriever(iterativeScan, ef, textScans[0]))).ToList();
            var otherScans = textScans.Skip(1).Select(scan => (Scan: scan, Retriever: Retriever(iterativeScan, efSearch, scan))).ToList();

            var table = new StringBuilder()
                .AppendLine(CultureInfo.InvariantCulture,
                    $"{rows:N0} chunks (384-d, {clusters} topics, data {DataLabel(data)}), {Documents:N0} documents in {Buckets} buckets, {queryCount} queries " +
                    $"(exact search and recall: the first {exactCount}), top {Top}; HNSW m={GenerationVectorIndex.Links}, ef_construction={GenerationVectorIndex.BuildCandidates} (a reused index keeps what it was built with); " +
                    $"ef_search={efSearch}{(otherEf.Count > 0 ? $" (rows marked ef_search: {string.Join(", ", otherEf.Select(o => o.Ef))})" : "")}, iterative scan {iterativeScan}; text candidates: budget {textBudget}, cap {textCap}, scan {textScans[0]}{(otherScans.Count > 0 ? $" (rows marked text scan: {string.Join(", ", otherScans.Select(o => o.Scan))})" : "")}; " +
                    $"{Environment.ProcessorCount} CPUs; {RuntimeInfo()}.")
                .AppendLine()
                .AppendLine(CultureInfo.InvariantCulture,
                    $"{LoadLine(load, rows, buildMemory, parallelWorkers, name)}chunks table {Megabytes(sizes.Table)} (with TOAST), HNSW index {Megabytes(sizes.Hnsw)}, GIN index {Megabytes(sizes.Gin)}.")
                .AppendLine()
                .AppendLine("| filter | search | p50 ms | p95 ms | database CPU p50 ms | database CPU p95 ms | rows returned | recall@10 vs exact |")
                .AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");

            var ranked = new Dictionary<string, List<(long Ranked, long Examined)>>();
            // Without a filter; a random bucket (most often one holding nothing of the query's topic: its true top 10 are
            // near-ties, the hardest case for recall); and, when the data says which document a query asks about, that
            // document's bucket (a caller narrowing the search to where the answer is).
            var filters = new List<(string Label, Func<SyntheticQuery, int?> Bucket)> { ("none", _ => null), ("bucket (10% of rows)", q => q.Bucket) };
            if (queries.All(q => q.AskedBucket is not null)) filters.Add(("the asked document's bucket (10%)", q => q.AskedBucket));
            foreach (var (label, bucketOf) in filters)
            {
                var filtered = bucketOf(queries[0]) is not null;
                SearchRequest Request(SyntheticQuery q, SearchMode mode) => new(q.Text, TestReaders.Staff, Top,
                    bucketOf(q) is { } bucket ? new SearchFilter(Bucket: $"b{bucket}") : null, mode);

                // Warm-up: the first queries load the index and table pages into shared buffers. Every exact search
                // reads the whole table (or bucket), so a few bring it into the page cache.
                foreach (var q in queries.Take(20))
                    await retriever.SearchWithVectorAsync(Request(q, SearchMode.Hybrid), q.Vector, exact: false, default);
                foreach (var q in queries.Take(Math.Min(3, exactCount)))
                    await retriever.SearchWithVectorAsync(Request(q, SearchMode.Vector), q.Vector, exact: true, default);

                // Recall compares the first exactCount results of each list with these (Zip stops at the shorter).
                var exact = await MeasureAsync(dataSource, queries.Take(exactCount).ToList(),
                    q => retriever.SearchWithVectorAsync(Request(q, SearchMode.Vector), q.Vector, true, default));
                var hnsw = await MeasureAsync(dataSource, queries, q => retriever.SearchWithVectorAsync(Request(q, SearchMode.Vector), q.Vector, false, default));
                var hybrid = await MeasureAsync(dataSource, queries, q => retriever.SearchWithVectorAsync(Request(q, SearchMode.Hybrid), q.Vector, false, default));
                var text = await MeasureAsync(dataSource, queries, q => retriever.SearchWithVectorAsync(Request(q, SearchMode.Text), q.Vector, false, default));

                Row(table, label, "hybrid (HNSW + full text, RRF)", hybrid, null);
                Row(table, label, "vector, HNSW", hnsw, Recall(hnsw, exact));
                foreach (var (ef, other) in otherEf)
                {
                    var otherHnsw = await MeasureAsync(dataSource, queries, q => other.SearchWithVectorAsync(Request(q, SearchMode.Vector), q.Vector, false, default));
                    var otherHybrid = await MeasureAsync(dataSource, queries, q => other.SearchWithVectorAsync(Request(q, SearchMode.Hybrid), q.Vector, false, default));
                    Row(table, label, $"hybrid, ef_search {ef}", otherHybrid, null);
                    Row(table, label, $"vector, HNSW, ef_search {ef}", otherHnsw, Recall(otherHnsw, exact));
                }
                if (filtered)
                {
                    var off = await MeasureAsync(dataSource, queries, q => noIterative.SearchWithVectorAsync(Request(q, SearchMode.Vector), q.Vector, false, default));
                    Row(table, label, "vector, HNSW, iterative scan off", off, Recall(off, exact));
                }
                if (exactCount > 0) Row(table, label, "vector, exact (no index)", exact, 1.0, leaderOnly: true);
                Row(table, label, "text only", text, null);
                ranked.Add(label, await RowsRankedAsync(retriever, queries.Take(50), q => Request(q, SearchMode.Text)));
                foreach (var (scan, other) in otherScans)
                {
                    var otherHybrid = await MeasureAsync(dataSource, queries, q => other.SearchWithVectorAsync(Request(q, SearchMode.Hybrid), q.Vector, false, default));
                    var otherText = await MeasureAsync(dataSource, queries, q => other.SearchWithVectorAsync(Request(q, SearchMode.Text), q.Vector, false, default));
                    Row(table, label, $"hybrid, text scan {scan}", otherHybrid, null);
                    Row(table, label, $"text only, text scan {scan}", otherText, null);
                    ranked.Add($"{label}, text scan {scan}", await RowsRankedAsync(other, queries.Take(50), q => Request(q, SearchMode.Text)));
                }
            }

            foreach (var (label, counts) in ranked)
                table.AppendLine(CultureInfo.InvariantCulture,
                    $"\nChunks the text list ranked per query, filter {label} (EXPLAIN ANALYZE of 50 queries): mean {counts.Average(c => c.Ranked):F0}, max {counts.Max(c => c.Ranked)}; " +
                    $"read through the tsv index to find them: mean {counts.Average(c => c.Examined):F0}, max {counts.Max(c => c.Examined)}.");

            var markdown = table.ToString();
            Console.WriteLine(markdown);
            if (options.GetValueOrDefault("out") is { } path) await File.WriteAllTextAsync(path, markdown);
            Console.Error.WriteLine($"total {total.Elapsed.TotalSeconds:F0} s");
            return 0;
        }
        finally
        {
            await dataSource.DisposeAsync();
            NpgsqlConnection.ClearAllPools();
            // A reused database is the operator's to drop: this run did not create it.
            if (!keep && reuse is null) await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {name}");
            else Console.Error.WriteLine($"kept database {name}");
        }
    }

    private static string DataLabel(string data) =>
        data == HierarchicalCorpus.Name ? $"{data}: {HierarchicalShape.Fitted}" : data;

    private static string LoadLine((TimeSpan Copy, TimeSpan Index)? load, int rows, string buildMemory, int parallelWorkers, string database) =>
        load is { } l
            ? string.Create(CultureInfo.InvariantCulture,
                $"Load (binary COPY, GIN and tsv maintained): {l.Copy.TotalSeconds:F0} s = {l.Copy.TotalMilliseconds * 1000 / rows:F0} µs per chunk; " +
                $"HNSW build {l.Index.TotalSeconds:F0} s with maintenance_work_mem {buildMemory}, max_parallel_maintenance_workers {parallelWorkers}; ")
            : $"Database {database} reused (kept by an earlier run: its load and build times are in that run's output); ";

    private sealed record Measured(List<double> Milliseconds, List<double> CpuMilliseconds, List<IReadOnlyList<RetrievedChunk>> Results);

    /// <summary>
    /// Times each search, and the CPU time the database spent on it: the on-CPU time of the database's backends
    /// (/proc/PID/schedstat) around the search. On a machine other users keep busy, wall time mostly measures waiting
    /// for a CPU; the CPU time is what the search costs, and what grows with the index.
    /// </summary>
    private static async Task<Measured> MeasureAsync(NpgsqlDataSource dataSource, List<SyntheticQuery> queries, Func<SyntheticQuery, Task<IReadOnlyList<RetrievedChunk>>> search)
    {
        var times = new List<double>(queries.Count);
        var cpu = new List<double>(queries.Count);
        var results = new List<IReadOnlyList<RetrievedChunk>>(queries.Count);
        foreach (var q in queries)
        {
            var backends = await BackendsAsync(dataSource);
            var before = CpuAccount.OnCpuNanoseconds(backends);
            var watch = Stopwatch.StartNew();
            results.Add(await search(q));
            times.Add(watch.Elapsed.TotalMilliseconds);
            cpu.Add((CpuAccount.OnCpuNanoseconds(backends) - before) / 1e6);
        }
        return new Measured(times, cpu, results);
    }

    // The benchmark database's backends (its pooled connections); parallel workers start and end within a query, so
    // a query that uses them (exact search without a filter) is counted for its leader only.
    private static async Task<int[]> BackendsAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT coalesce(array_agg(pid), '{}') FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'");
        return (int[])(await command.ExecuteScalarAsync())!;
    }

    private static double? Recall(Measured approximate, Measured exact)
    {
        var pairs = approximate.Results.Zip(exact.Results, (a, e) =>
            e.Count == 0 ? 1.0 : (double)a.Select(r => r.ChunkId).Intersect(e.Select(r => r.ChunkId)).Count() / e.Count).ToList();
        return pairs.Count > 0 ? pairs.Average() : null;
    }

    private static void Row(StringBuilder table, string filter, string search, Measured m, double? recall, bool leaderOnly = false)
    {
        static double Percentile(List<double> values, double p)
        {
            var sorted = values.Order().ToList();
            return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
        }
        var cpuMark = leaderOnly ? " (leader)" : "";
        table.AppendLine(CultureInfo.InvariantCulture,
            $"| {filter} | {search} | {Percentile(m.Milliseconds, 0.50):F1} | {Percentile(m.Milliseconds, 0.95):F1} | " +
            $"{Percentile(m.CpuMilliseconds, 0.50):F1}{cpuMark} | {Percentile(m.CpuMilliseconds, 0.95):F1}{cpuMark} | " +
            $"{m.Results.Average(r => r.Count):F1} | {(recall is { } r ? r.ToString("F3", CultureInfo.InvariantCulture) : "")} |");
    }

    // Per query: the chunks the text list ranked, and those it read through the tsv index to find them.
    private static async Task<List<(long Ranked, long Examined)>> RowsRankedAsync(HybridRetriever retriever, IEnumerable<SyntheticQuery> queries,
        Func<SyntheticQuery, SearchRequest> request)
    {
        var counts = new List<(long, long)>();
        foreach (var q in queries)
        {
            var plan = await retriever.ExplainAsync(request(q), null, default);
            counts.Add((TextListPlan.RowsRanked(plan), TextListPlan.RowsExamined(plan)));
        }
        return counts;
    }

    private sealed record Sizes(long Table, long Hnsw, long Gin);

    private static async Task<Sizes> SizesAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT pg_table_size('chunks'),
                   pg_relation_size(to_regclass($1)),
                   (SELECT coalesce(sum(pg_relation_size(i.indexrelid)), 0)::bigint FROM pg_index i
                    JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
                    WHERE i.indrelid = 'chunks'::regclass AND a.amname = 'gin')
            """);
        command.Parameters.Add(new() { Value = GenerationVectorIndex.Name(1) });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new Sizes(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    private static string Megabytes(long bytes) => (bytes / 1024.0 / 1024).ToString("N0", CultureInfo.InvariantCulture) + " MB";

    private static async Task<(TimeSpan Copy, TimeSpan Index)> LoadAsync(NpgsqlDataSource dataSource, SyntheticCorpus corpus, int rows,
        string buildMemory, int parallelWorkers)
    {
        var watch = Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync();
        await Execute(connection, GenerationVectorIndex.DropSql(1, concurrently: false));
        var documentIds = new long[Documents];
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO documents (bucket, key, status, content_type, indexed_at)
            SELECT 'b' || (g % 10), format('doc-%s.txt', lpad(g::text, 4, '0')), 'indexed', 'text/plain', now()
            FROM generate_series(0, $1 - 1) g ORDER BY g RETURNING id
            """, connection))
        {
            insert.Parameters.Add(new() { Value = Documents });
            await using var reader = await insert.ExecuteReaderAsync();
            for (var i = 0; await reader.ReadAsync(); i++) documentIds[i] = reader.GetInt64(0);
        }

        var ordinals = new int[Documents];
        await ChunkCopy.WriteAsync(connection, Enumerable.Range(0, rows).Select(i =>
        {
            // The corpus says which document holds a chunk: isotropic data lets documents take turns (each bucket's
            // chunks spread over the whole table), hierarchical data keeps a generated document's chunks together.
            var (text, vector, document) = corpus.Chunk();
            // A chunk's ordinal (unique in its document) and page: its place among its document's chunks.
            var ordinal = ordinals[document]++;
            var chunk = new ChunkRow(Guid.NewGuid(), ordinal, ordinal + 1, ordinal + 1, text.Length / 5, text,
                BitConverter.GetBytes(i), vector);
            return new ChunkCopyRow(documentIds[document], 1, TestReaders.Staff, chunk);
        }), default);
        var copy = watch.Elapsed;

        watch.Restart();
        // The graph of 100k 384-d vectors needs ~200 MB, of 1M ~2 GB: in memory the build is many times faster.
        // The values are the operator's own command-line arguments, checked by PostgreSQL's parser of settings.
        await Execute(connection, $"SET maintenance_work_mem = '{buildMemory.Replace("'", "", StringComparison.Ordinal)}'");
        await Execute(connection, $"SET max_parallel_maintenance_workers = {parallelWorkers.ToString(CultureInfo.InvariantCulture)}");
        await Execute(connection, GenerationVectorIndex.CreateSql(1, Dimensions, concurrently: false));
        var index = watch.Elapsed;
        // As autovacuum would after a load: the planner's row counts, and the word statistics of the text list.
        await Execute(connection, "ANALYZE documents");
        await Execute(connection, "ANALYZE chunks");
        return (copy, index);
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await Execute(connection, sql);
    }

    private static Dictionary<string, string> ParseOptions(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"Expected '--name value' pairs, got '{args[i]}'.");
            options[args[i][2..]] = args[++i];
        }
        return options;
    }

    private static int Int(Dictionary<string, string> options, string name, int fallback) =>
        options.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    private static string RuntimeInfo() =>
        $"{System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";

    /// <summary>The benchmark passes its vectors directly; nothing is embedded.</summary>
    private sealed class NoEmbedder : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
            EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("Query vectors are passed directly.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
