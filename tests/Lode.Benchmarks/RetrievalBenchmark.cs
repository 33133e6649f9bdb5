using System.Diagnostics;
using System.Globalization;
using System.Text;
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
/// vectors (unit vectors scattered around --clusters centres) and short texts drawn from a Zipf-distributed word list,
/// each cluster with topic words of its own; 1,000 documents in 10 buckets. Then, for --queries queries (200) near the
/// centres, times hybrid, vector (HNSW), exact and text search through <see cref="HybridRetriever"/> (query vectors
/// given directly: embedding time is not included), and measures recall@10 of HNSW against exact search, with no
/// filter and with a bucket filter that keeps 10% of the rows. Prints a markdown table (--out FILE writes it too).
/// Also prints the load (COPY) and HNSW build times, the memory the build may use, table and index sizes, and how many
/// chunks the full-text list ranked per query (from EXPLAIN ANALYZE). 1,000,000 rows take ~1 hour here (not in CI).
/// Options: --pg CONNECTION (LODE_TEST_PG or the local default), --rows, --clusters, --queries, --seed, --keep true,
/// --maintenance-work-mem (2GB: the graph of 1M 384-d vectors must fit, or the build slows down many times),
/// --parallel-workers (max_parallel_maintenance_workers for the build; PostgreSQL's default 2), --ef-search (the
/// retriever's hnsw.ef_search, 100), --text-budget / --text-cap (Retrieval:TextCandidateBudget / TextCandidateCap), --exact-queries N (exact search, the recall ground truth, for the first N queries
/// only: at 1M chunks one exact search reads the whole table, ~10 s here), --reuse NAME (measure a database an earlier
/// run kept with --keep true, without loading or building again: levers such as --ef-search on the same index).
/// </summary>
internal static class RetrievalBenchmark
{
    private const int Dimensions = 384;
    private const int Documents = 1_000;
    private const int Buckets = 10;
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
        var efSearch = Int(options, "ef-search", defaults.EfSearch);
        var textCap = Int(options, "text-cap", defaults.TextCandidateCap);
        var textBudget = Int(options, "text-budget", defaults.TextCandidateBudget);
        var exactCount = Math.Min(queryCount, Int(options, "exact-queries", queryCount));
        var reuse = options.GetValueOrDefault("reuse");

        var total = Stopwatch.StartNew();
        var name = reuse ?? "lode_bench_" + Guid.NewGuid().ToString("N")[..8];
        if (reuse is null) await ExecuteAsync(server, $"CREATE DATABASE {name}");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, CommandTimeout = 0 }.ConnectionString;
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.UseVector();
        var dataSource = builder.Build();
        try
        {
            var corpus = new SyntheticCorpus(seed, clusters);
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
            HybridRetriever Retriever(string iterativeScan) =>
                ChunkSeeder.Retriever(dataSource, embedder, new RetrievalOptions
                {
                    IterativeScan = iterativeScan, EfSearch = efSearch, TextCandidateCap = textCap, TextCandidateBudget = textBudget,
                });
            var retriever = Retriever("relaxed_order");
            var noIterative = Retriever("off");

            var table = new StringBuilder()
                .AppendLine(CultureInfo.InvariantCulture,
                    $"{rows:N0} chunks (384-d, {clusters} clusters), {Documents:N0} documents in {Buckets} buckets, {queryCount} queries " +
                    $"(exact search and recall: the first {exactCount}), top {Top}; HNSW m=16, ef_construction=64 (pgvector defaults); " +
                    $"ef_search={efSearch}, iterative scan relaxed_order; text candidates: budget {textBudget}, cap {textCap}; " +
                    $"{Environment.ProcessorCount} CPUs; {RuntimeInfo()}.")
                .AppendLine()
                .AppendLine(CultureInfo.InvariantCulture,
                    $"{LoadLine(load, rows, buildMemory, parallelWorkers, name)}chunks table {Megabytes(sizes.Table)} (with TOAST), HNSW index {Megabytes(sizes.Hnsw)}, GIN index {Megabytes(sizes.Gin)}.")
                .AppendLine()
                .AppendLine("| filter | search | p50 ms | p95 ms | database CPU p50 ms | database CPU p95 ms | rows returned | recall@10 vs exact |")
                .AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");

            var ranked = new Dictionary<string, List<long>>();
            foreach (var filtered in new[] { false, true })
            {
                SearchRequest Request(Query q, SearchMode mode) => new(q.Text, TestReaders.Staff, Top,
                    filtered ? new SearchFilter(Bucket: $"b{q.Bucket}") : null, mode);
                var label = filtered ? "bucket (10% of rows)" : "none";

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
                if (filtered)
                {
                    var off = await MeasureAsync(dataSource, queries, q => noIterative.SearchWithVectorAsync(Request(q, SearchMode.Vector), q.Vector, false, default));
                    Row(table, label, "vector, HNSW, iterative scan off", off, Recall(off, exact));
                }
                if (exactCount > 0) Row(table, label, "vector, exact (no index)", exact, 1.0, leaderOnly: true);
                Row(table, label, "text only", text, null);
                ranked.Add(label, await RowsRankedAsync(retriever, queries.Take(50), q => Request(q, SearchMode.Text)));
            }

            foreach (var (label, counts) in ranked)
                table.AppendLine(CultureInfo.InvariantCulture,
                    $"\nChunks the text list ranked per query, filter {label} (EXPLAIN ANALYZE of 50 queries): mean {counts.Average():F0}, max {counts.Max()}.");

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
    private static async Task<Measured> MeasureAsync(NpgsqlDataSource dataSource, List<Query> queries, Func<Query, Task<IReadOnlyList<RetrievedChunk>>> search)
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

    private static async Task<List<long>> RowsRankedAsync(HybridRetriever retriever, IEnumerable<Query> queries, Func<Query, SearchRequest> request)
    {
        var counts = new List<long>();
        foreach (var q in queries) counts.Add(TextListPlan.RowsRanked(await retriever.ExplainAsync(request(q), null, default)));
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

        await ChunkCopy.WriteAsync(connection, Enumerable.Range(0, rows).Select(i =>
        {
            // Documents take turns, so each bucket's chunks are spread over the whole table.
            var (text, vector) = corpus.Chunk();
            var chunk = new ChunkRow(Guid.NewGuid(), i / Documents, i / Documents + 1, i / Documents + 1, text.Length / 5, text,
                BitConverter.GetBytes(i), vector);
            return new ChunkCopyRow(documentIds[i % Documents], 1, TestReaders.Staff, chunk);
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

    private sealed record Query(string Text, float[] Vector, int Bucket);

    /// <summary>Deterministic embedding-like data: points around cluster centres, texts whose words follow the cluster.</summary>
    private sealed class SyntheticCorpus
    {
        private const int Vocabulary = 5_000;
        private const int TopicWords = 20;
        private readonly Random _random;
        private readonly float[][] _centres;
        private readonly string[] _words;
        private readonly int[][] _topics;
        private readonly double[] _zipf;

        public SyntheticCorpus(int seed, int clusters)
        {
            _random = new Random(seed);
            _centres = Enumerable.Range(0, clusters).Select(_ => Normalized(Gaussian(1.0))).ToArray();
            // Pronounceable non-words ("tavoriku"), so English stemming and stop words leave them alone.
            string[] syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "pe", "su", "da", "go", "hi", "ju", "be", "fa"];
            _words = Enumerable.Range(0, Vocabulary).Select(i =>
                string.Concat(syllables[i % 16], syllables[i / 16 % 16], syllables[i / 256 % 16], i >= 4096 ? "x" : "")).ToArray();
            _topics = Enumerable.Range(0, clusters).Select(_ => Enumerable.Range(0, TopicWords).Select(_ => _random.Next(Vocabulary)).ToArray()).ToArray();
            // Zipf's law for the background words: a few are everywhere, most are rare.
            _zipf = new double[Vocabulary];
            double sum = 0;
            for (var i = 0; i < Vocabulary; i++) _zipf[i] = sum += 1.0 / (i + 1);
            for (var i = 0; i < Vocabulary; i++) _zipf[i] /= sum;
        }

        public (string Text, float[] Vector) Chunk()
        {
            var cluster = _random.Next(_centres.Length);
            var words = new List<string>();
            var length = 20 + _random.Next(40);
            for (var i = 0; i < length; i++)
                words.Add(_random.NextDouble() < 0.3 ? _words[_topics[cluster][_random.Next(TopicWords)]] : ZipfWord());
            return (string.Join(' ', words), Around(_centres[cluster]));
        }

        public Query Query()
        {
            var cluster = _random.Next(_centres.Length);
            var text = $"{_words[_topics[cluster][_random.Next(TopicWords)]]} {_words[_topics[cluster][_random.Next(TopicWords)]]} {ZipfWord()}";
            return new Query(text, Around(_centres[cluster]), _random.Next(Buckets));
        }

        private string ZipfWord()
        {
            var index = Array.BinarySearch(_zipf, _random.NextDouble());
            return _words[Math.Min(Vocabulary - 1, index < 0 ? ~index : index)];
        }

        // A unit vector at cosine ~0.7 from its centre: noise of the same length as the centre.
        private float[] Around(float[] centre)
        {
            var noise = Normalized(Gaussian(1.0));
            var v = new float[Dimensions];
            for (var d = 0; d < Dimensions; d++) v[d] = centre[d] + noise[d];
            return Normalized(v);
        }

        private float[] Gaussian(double sigma)
        {
            var v = new float[Dimensions];
            for (var d = 0; d < Dimensions; d++)
                v[d] = (float)(sigma * Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble()));
            return v;
        }

        private static float[] Normalized(float[] v)
        {
            var norm = (float)Math.Sqrt(v.Sum(x => (double)x * x));
            return v.Select(x => x / norm).ToArray();
        }
    }

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
