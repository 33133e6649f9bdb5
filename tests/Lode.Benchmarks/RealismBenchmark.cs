using System.Globalization;
using System.Text;
using Lode.Benchmarks.Synthetic;
using Lode.Embeddings;
using Lode.Tests.Retrieval;
using Lode.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Benchmarks;

/// <summary>
/// How much the retrieval benchmark's synthetic data looks like real embeddings, by <see cref="NeighbourhoodStatistics"/>
/// (relative contrast, local intrinsic dimensionality): the manual question set's 164 questions, embedded by the app's
/// default model, against the chunks of the six manuals as a kept quality database holds them (<c>quality --keep</c>,
/// then <c>realism --reuse NAME</c>; navigation chunks left out, as searches leave them out); then each synthetic data
/// set with as many chunks and queries. Also every chunk's neighbourhood (a sample of chunks as queries), which is what
/// the HNSW build searches. <c>--fit</c> adds a grid of <see cref="HierarchicalShape"/>s, closest to the real
/// questions' statistics first.
/// </summary>
internal static class RealismBenchmark
{
    private const int ChunkSample = 300;

    public static async Task<int> RunAsync(string[] args)
    {
        if (Parse(args) is not (var name, var fit, var sizes))
        {
            Console.Error.WriteLine("Usage: Lode.Benchmarks realism --reuse QUALITY_DATABASE [--sizes 100000,1000000] [--fit [\"decay=1,1.5;chunk=1,1.2;query=1;per-document=100\"]]");
            return 2;
        }

        var database = TestDatabase.Attach(name);
        List<float[]> chunks;
        await using (var command = database.DataSource.CreateCommand("SELECT embedding::real[] FROM chunks WHERE NOT navigation ORDER BY id"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            chunks = [];
            while (await reader.ReadAsync()) chunks.Add(Normalized(reader.GetFieldValue<float[]>(0)));
        }

        var questions = ManualQuestionSet.Tune.Concat(ManualQuestionSet.Check).Select(q => q.Question).ToList();
        var real = new List<float[]>();
        await using (var stack = await LodeStack.StartAsync(database, extraArgs: ["--AzureWebJobs.ReconcileTimer.Disabled=true"]))
        {
            var embedder = stack.App.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            foreach (var question in questions)
                real.Add(Normalized((await embedder.GenerateQueryEmbeddingAsync(question)).Vector.ToArray()));
        }

        var table = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture,
                $"{chunks.Count:N0} chunks (navigation left out) of database {name}, {real.Count} questions; synthetic data with as many of each (seed 42, 300 topics). Medians over the queries; chunks as queries: {ChunkSample} sampled.")
            .AppendLine()
            .AppendLine("| data | queries | relative contrast (mean ÷ 10th NN distance) | LID k=10 | LID k=20 | cosine to 1st NN | cosine to 10th NN | mean cosine |")
            .AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        var target = Row(table, "real (all-MiniLM-L6-v2, manuals)", chunks, real);

        var data = new List<(string Label, SyntheticCorpus Corpus)>
        {
            ($"{IsotropicCorpus.Name}", SyntheticCorpus.Create(IsotropicCorpus.Name, 42, 300, chunks.Count)),
            ($"{HierarchicalCorpus.Name} ({HierarchicalShape.Fitted})", SyntheticCorpus.Create(HierarchicalCorpus.Name, 42, 300, chunks.Count)),
        };
        foreach (var (label, corpus) in data)
        {
            var (points, queries) = Draw(corpus, chunks.Count, real.Count);
            Row(table, label, points, queries);
        }
        // The same data sets at the benchmark's sizes: how a neighbourhood changes as the index grows (no real
        // figure to compare with there).
        foreach (var size in sizes)
        foreach (var set in SyntheticCorpus.Names)
        {
            var (points, queries) = Draw(SyntheticCorpus.Create(set, 42, 300, size), size, real.Count);
            Row(table, $"{set}, {size:N0} chunks", points, queries);
        }
        Console.WriteLine(table);

        if (fit is not null) Fit(target, chunks.Count, real.Count, FitGrid.Parse(fit));
        return 0;
    }

    private static (string Name, string? Fit, int[] Sizes)? Parse(string[] args)
    {
        if (args is not ["--reuse", var name, .. var rest]) return null;
        string? fit = null;
        int[] sizes = [];
        for (var i = 0; i < rest.Length; i++)
        {
            switch (rest[i])
            {
                case "--fit":
                    fit = i + 1 < rest.Length && !rest[i + 1].StartsWith("--", StringComparison.Ordinal) ? rest[++i] : FitGrid.Coarse;
                    break;
                case "--sizes" when i + 1 < rest.Length:
                    sizes = rest[++i].Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                    break;
                default:
                    return null;
            }
        }
        return (name, fit, sizes);
    }

    /// <summary>The shapes <c>--fit</c> tries: "decay=…;chunk=…;query=…;per-document=…" (document spread stays 1).</summary>
    private sealed record FitGrid(double[] Decay, double[] Chunk, double[] Query, double[] PerDocument)
    {
        public const string Coarse = "decay=0.5,0.75,1;chunk=0.6,0.8,1,1.2;query=0.8,1,1.2;per-document=20,100,300";

        public static FitGrid Parse(string spec)
        {
            var axes = spec.Split(';').Select(a => a.Split('=')).ToDictionary(
                kv => kv[0].Trim(), kv => kv[1].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray());
            return new FitGrid(axes["decay"], axes["chunk"], axes["query"], axes["per-document"]);
        }
    }

    private static void Fit(NeighbourhoodStatistics target, int chunkCount, int queryCount, FitGrid grid)
    {
        var fits = new List<(double Error, HierarchicalShape Shape, NeighbourhoodStatistics Statistics)>();
        foreach (var perDocument in grid.PerDocument.Select(p => (int)p))
        foreach (var decay in grid.Decay)
        foreach (var chunkSpread in grid.Chunk)
        foreach (var querySpread in grid.Query)
        {
            var shape = new HierarchicalShape(decay, DocumentSpread: 1.0, chunkSpread, querySpread, perDocument);
            var (points, queries) = Draw(new HierarchicalCorpus(42, 300, chunkCount, shape), chunkCount, queryCount);
            var statistics = NeighbourhoodStatistics.Measure(points, queries);
            // LID at k = 20 too: real neighbourhoods are smooth (LID 10 ≈ LID 20); a cliff at a document's edge is not.
            var error = Math.Abs(Math.Log(statistics.RelativeContrast / target.RelativeContrast))
                + Math.Abs(Math.Log(statistics.Lid10 / target.Lid10)) + Math.Abs(Math.Log(statistics.Lid20 / target.Lid20));
            fits.Add((error, shape, statistics));
            Console.Error.WriteLine(FormattableString.Invariant($"{shape}: RC {statistics.RelativeContrast:F3} LID10 {statistics.Lid10:F1} LID20 {statistics.Lid20:F1} error {error:F3}"));
        }
        Console.WriteLine("Closest shapes (error = |ln RC ratio| + |ln LID10 ratio| + |ln LID20 ratio| against the real questions):");
        foreach (var (error, shape, s) in fits.OrderBy(f => f.Error).Take(10))
            Console.WriteLine(FormattableString.Invariant(
                $"- {shape}: RC {s.RelativeContrast:F3}, LID10 {s.Lid10:F1}, LID20 {s.Lid20:F1}, cos 1st/10th {s.NearestCosine:F3}/{s.TenthCosine:F3}, error {error:F3}"));
    }

    private static (List<float[]> Points, List<float[]> Queries) Draw(SyntheticCorpus corpus, int chunkCount, int queryCount)
    {
        var points = Enumerable.Range(0, chunkCount).Select(_ => corpus.Chunk().Vector).ToList();
        var queries = Enumerable.Range(0, queryCount).Select(_ => corpus.Query().Vector).ToList();
        return (points, queries);
    }

    private static NeighbourhoodStatistics Row(StringBuilder table, string label, List<float[]> points, List<float[]> queries)
    {
        var asked = NeighbourhoodStatistics.Measure(points, queries);
        // Every k-th chunk, so the sample is the same on every run.
        var sample = points.Where((_, i) => i % Math.Max(1, points.Count / ChunkSample) == 0).Take(ChunkSample).ToList();
        var neighbours = NeighbourhoodStatistics.Measure(points, sample);
        foreach (var (kind, s) in new[] { ("questions", asked), ("chunks", neighbours) })
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {label} | {kind} | {s.RelativeContrast:F3} | {s.Lid10:F1} | {s.Lid20:F1} | {s.NearestCosine:F3} | {s.TenthCosine:F3} | {s.MeanCosine:F3} |");
        return asked;
    }

    private static float[] Normalized(float[] v)
    {
        var norm = (float)Math.Sqrt(v.Sum(x => (double)x * x));
        return v.Select(x => x / norm).ToArray();
    }
}
