using System.Globalization;
using Lode.Embeddings;

namespace Lode.Benchmarks;

/// <summary>
/// `embed queries`: query embeddings per second with 1, 8 and 32 concurrent callers (chat/search questions arriving at
/// once), each query embedded alone (QueryBatchSize 1, as before) and through <see cref="QueryBatchingEmbeddingGenerator"/>
/// (the default), on one loaded model in one run, alternating which goes first from round to round.
/// Options: --queries N per pass (320), --callers 1,8,32, --rounds 2, --batch 32, --threads 0.
/// </summary>
internal static class QueryBatchingBenchmark
{
    private static readonly string[] Questions =
    [
        "What does the licence say about distributing modified versions?", "How are dpkg triggers activated?",
        "How do I run a benchmark with multiple threads?", "Which users and groups are created by the base system?",
        "What is an interest trigger?", "How do I report benchmark results as a table?", "Can I charge a fee for conveying copies?",
        "What happens when a trigger is activated during configuration?", "How are user IDs allocated on Debian?",
        "What does the warranty disclaimer say?",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var queries = Option(args, "--queries", "320")[0];
        var callers = Option(args, "--callers", "1,8,32");
        var rounds = Option(args, "--rounds", "2")[0];
        var batch = Option(args, "--batch", "32")[0];
        var threads = Option(args, "--threads", "0")[0];

        using var model = new OnnxSentenceEmbeddingGenerator(new EmbeddingOptions { Threads = threads });
        using var batching = new QueryBatchingEmbeddingGenerator(model, batch);
        (string Name, Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>> Generator)[] modes =
            [("alone (QueryBatchSize 1)", model), ($"batched (QueryBatchSize {batch})", batching)];

        foreach (var (_, generator) in modes) await PassAsync(generator, 8, 64); // warm-up
        var results = modes.ToDictionary(m => m.Name, _ => callers.ToDictionary(c => c, _ => new List<LoadResult>()));
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var count in callers)
            {
                foreach (var (name, generator) in round % 2 == 1 ? modes : modes.Reverse().ToArray())
                {
                    var result = await PassAsync(generator, count, queries);
                    results[name][count].Add(result);
                    Console.Error.WriteLine($"round {round}, {count} callers, {name}: {result.PerSecond:F0} queries/s");
                }
            }
        }

        Console.WriteLine($"Query embedding ({model.ModelName}), {queries} queries per pass, best of {rounds} round(s); {Machine.Description()}");
        Console.WriteLine($"Batched: {batching.Batches} model runs in all.\n");
        Console.WriteLine("| callers | mode | queries/s | p50 ms | p95 ms | queries/s batched ÷ alone |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|");
        foreach (var count in callers)
        {
            var alone = results[modes[0].Name][count].MaxBy(r => r.PerSecond)!;
            var batched = results[modes[1].Name][count].MaxBy(r => r.PerSecond)!;
            Console.WriteLine($"| {count} | {modes[1].Name} | {batched.PerSecond:F0} | {batched.P50:F1} | {batched.P95:F1} | {batched.PerSecond / alone.PerSecond:F2} |");
            Console.WriteLine($"| {count} | {modes[0].Name} | {alone.PerSecond:F0} | {alone.P50:F1} | {alone.P95:F1} | |");
        }
        return 0;
    }

    private static Task<LoadResult> PassAsync(Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>> generator,
        int callers, int queries) =>
        ConcurrentLoad.RunAsync(callers, queries, i => generator.GenerateQueryEmbeddingAsync(Questions[i % Questions.Length]));

    private static int[] Option(string[] args, string name, string fallback)
    {
        var at = Array.IndexOf(args, name);
        var text = at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
        return text.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    }
}
