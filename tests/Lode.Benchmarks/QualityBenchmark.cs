using System.Diagnostics;
using System.Globalization;
using System.Text;
using Lode.Evaluation;
using Lode.Retrieval;
using Lode.Retrieval.Evaluation;
using Lode.Tests.Retrieval;
using Lode.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Benchmarks;

/// <summary>
/// Retrieval quality on the manual question set (tests/Lode.Tests/Retrieval/Manuals): the six manuals indexed through a
/// real stack (S3 server, webhook, worker, the app's pipeline and embedder), then every question of the chosen half
/// asked in each mode through <see cref="RetrievalEvaluator"/>, for each retrieval configuration of a grid. Prints
/// hit@1/3/5/10 and MRR, overall and for paraphrased and keyword questions.
/// Tuning reads the tune half only; the check half is for the final report (docs/benchmarks.md).
/// </summary>
internal static class QualityBenchmark
{
    private const string Usage = """
        Lode.Benchmarks quality [--half tune|check|both] [--grid "RrfK=20,60;TextCandidates=20,40"] [--top 5]
                                [--modes hybrid,vector,text] [--misses] [--keep] [--reuse DATABASE] [--out FILE]
                                [--Section:Key=value ...]
            --grid   Retrieval settings to compare (cartesian product; each key of the Retrieval section)
            --keep   keep the indexed database (its name is printed) so that --reuse can measure it again
            --reuse  measure a kept database instead of indexing the manuals again (same --Embeddings settings!)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (Parse(args) is not { } options)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var files = await ManualsCorpus.EnsureAsync();
        var database = options.Reuse is { } name ? TestDatabase.Attach(name) : await TestDatabase.CreateAsync(migrate: false, namePrefix: "lode_quality_");
        if (options.Keep) database.Keep();
        // A kept index outlives its S3 server: no reconciliation may compare it with the new, empty one.
        await using var stack = await LodeStack.StartAsync(database, extraArgs: [.. options.Settings, "--AzureWebJobs.ReconcileTimer.Disabled=true"]);

        var header = new StringBuilder();
        if (options.Reuse is null)
        {
            Console.Error.WriteLine($"Indexing {files.Count} files of the manuals into {database.Name}");
            var watch = Stopwatch.StartNew();
            await ManualsIndex.IndexAsync(stack, files, TimeSpan.FromHours(2));
            header.AppendLine(CultureInfo.InvariantCulture, $"Indexed {files.Count} files in {watch.Elapsed.TotalSeconds:F0} s.");
        }
        // As autovacuum would after a bulk load, but before the first question: the text list chooses its candidates
        // by these statistics. Without this, whichever grid point ran first on a fresh index ranked without them (text
        // hit@5 of the tuning half 78.0 -> 43.9 % for that point only, in a run of 2026-12-03).
        await database.ExecuteAsync("ANALYZE chunks");
        await database.ExecuteAsync("ANALYZE documents");

        var chunks = await database.ScalarAsync<long>("SELECT count(*) FROM chunks");
        var navigation = await database.ScalarAsync<long>("SELECT count(*) FROM chunks WHERE navigation");
        var model = await database.ScalarAsync<string>("SELECT value FROM index_settings WHERE name = 'embedding_model'");
        header.AppendLine(CultureInfo.InvariantCulture,
            $"Database {database.Name}: {chunks} chunks ({navigation} navigation), embedding model {model}; settings: {string.Join(' ', options.Settings)}");
        Console.Error.Write(header);

        var embedder = stack.App.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var baseConfiguration = stack.App.Services.GetRequiredService<IConfiguration>().GetSection(RetrievalOptions.SectionName);
        var table = new StringBuilder(header.ToString()).AppendLine()
            .AppendLine("| half | configuration | mode | hit@1 | hit@3 | hit@5 | hit@10 | MRR | paraphrase hit@5 | keyword hit@5 |")
            .AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var half in options.Halves)
        {
            var questions = ManualsIndex.Questions(ManualQuestionSet.Load(half));
            foreach (var configuration in options.Grid)
            {
                var retrievalOptions = new RetrievalOptions();
                baseConfiguration.Bind(retrievalOptions);
                new ConfigurationBuilder().AddInMemoryCollection(configuration.Values).Build().Bind(retrievalOptions);
                var evaluator = new RetrievalEvaluator(ChunkSeeder.Retriever(database, embedder, retrievalOptions), TimeProvider.System);
                var report = await evaluator.EvaluateAsync(questions, new EvaluationOptions(TestReaders.Staff, Top: options.Top, Modes: options.Modes), CancellationToken.None);
                foreach (var mode in report.Modes)
                {
                    var row = Row(half, configuration.Name, mode);
                    table.AppendLine(row);
                    Console.Error.WriteLine(row);
                }
                if (options.ShowMisses) PrintMisses(report);
            }
        }

        Console.WriteLine(table);
        if (options.Output is { } output) await File.WriteAllTextAsync(output, table.ToString());
        return 0;
    }

    private static string Row(string half, string configuration, ModeScores mode)
    {
        static string P(double value) => (value * 100).ToString("F1", CultureInfo.InvariantCulture);
        var all = mode.Overall;
        var paraphrase = mode.Tags.FirstOrDefault(t => t.Tag == "paraphrase")?.Metrics;
        var keyword = mode.Tags.FirstOrDefault(t => t.Tag == "keyword")?.Metrics;
        return $"| {half} | {configuration} | {mode.Mode} | {P(all.HitAt1)} | {P(all.HitAt3)} | {P(all.HitAt5)} | {P(all.HitAt10)} | " +
            $"{all.Mrr.ToString("F3", CultureInfo.InvariantCulture)} | {(paraphrase is null ? "" : P(paraphrase.HitAt5))} | " +
            $"{(keyword is null ? "" : P(keyword.HitAt5))} |";
    }

    private static void PrintMisses(EvaluationReport report)
    {
        foreach (var miss in report.Misses.Where(m => m.Mode == "hybrid"))
        {
            Console.Error.WriteLine($"  miss [{miss.Question.Id}] rank {miss.Rank}: {miss.Question.Question} → {miss.Question.Document} p. {string.Join(',', miss.Question.Pages)}");
            foreach (var passage in miss.Returned.Take(3))
                Console.Error.WriteLine($"      {passage.Rank}. {passage.Key} p. {passage.Page}-{passage.PageEnd}: {passage.Snippet}");
        }
    }

    /// <summary>One named set of Retrieval settings (e.g. <c>RrfK=20 TextCandidates=40</c>).</summary>
    private sealed record GridPoint(string Name, Dictionary<string, string?> Values);

    private sealed record Options(
        IReadOnlyList<string> Halves, IReadOnlyList<GridPoint> Grid, int Top, IReadOnlyList<SearchMode>? Modes, bool Keep,
        string? Reuse, bool ShowMisses, string? Output, IReadOnlyList<string> Settings);

    private static Options? Parse(string[] args)
    {
        var halves = new List<string> { "tune" };
        var grid = new List<GridPoint> { new("defaults", []) };
        var top = 5;
        IReadOnlyList<SearchMode>? modes = null;
        var keep = false;
        var showMisses = false;
        string? reuse = null, output = null;
        var settings = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--half" when i + 1 < args.Length:
                    halves = args[++i] == "both" ? ["tune", "check"] : [args[i]];
                    if (halves.Any(h => h is not ("tune" or "check"))) return null;
                    break;
                case "--grid" when i + 1 < args.Length:
                    grid = Grid(args[++i]);
                    break;
                case "--top" when i + 1 < args.Length:
                    top = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--modes" when i + 1 < args.Length:
                    modes = args[++i].Split(',').Select(m => SearchModeNames.TryParse(m, out var mode) ? mode : throw new ArgumentException($"Unknown mode '{m}'.")).ToList();
                    break;
                case "--keep":
                    keep = true;
                    break;
                case "--misses":
                    showMisses = true;
                    break;
                case "--reuse" when i + 1 < args.Length:
                    reuse = args[++i];
                    break;
                case "--out" when i + 1 < args.Length:
                    output = args[++i];
                    break;
                case var setting when setting.StartsWith("--", StringComparison.Ordinal) && setting.Contains('=', StringComparison.Ordinal):
                    settings.Add(setting);
                    break;
                default:
                    Console.Error.WriteLine($"Unexpected argument '{args[i]}'.");
                    return null;
            }
        }

        return new Options(halves, grid, top, modes, keep, reuse, showMisses, output, settings);
    }

    /// <summary>"A=1,2;B=x" → every combination of the values: A=1 B=x, A=2 B=x.</summary>
    private static List<GridPoint> Grid(string spec)
    {
        var axes = spec.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(axis => axis.Split('=', 2))
            .Select(kv => (Key: kv[0], Values: kv[1].Split(',', StringSplitOptions.TrimEntries)))
            .ToList();
        var points = new List<Dictionary<string, string?>> { new() };
        foreach (var (key, values) in axes)
            points = points.SelectMany(p => values.Select(v => new Dictionary<string, string?>(p) { [key] = v })).ToList();
        return points.Select(p => new GridPoint(string.Join(' ', p.Select(kv => $"{kv.Key}={kv.Value}")), p)).ToList();
    }
}
