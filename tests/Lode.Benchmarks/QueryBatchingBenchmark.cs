using System.Globalization;
using Lode.Embeddings;

namespace Lode.Benchmarks;

/// <summary>
/// `embed queries`: query embeddings per second with 1, 8 and 32 concurrent callers (chat/search questions arriving at
/// once), each query embedded alone (QueryBatchSize 1, as before) and through <see cref="QueryBatchingEmbeddingGenerator"/>
/// (the default), on one loaded model per setting of ONNX Runtime's threads and spinning, in one run, alternating which
/// goes first from round to round; with the CPU of this process per query.
/// Options: --queries N per pass (320), --callers 1,8,32, --rounds 2, --batch 32, --threads 0 (a list: 0,1), --spinning off
/// (a list: off,on).
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
        var threads = Option(args, "--threads", "0");
        var spinning = OptionText(args, "--spinning", "off").Split(',').Select(v => v == "on").ToArray();

        // One loaded model per setting of ONNX Runtime's threads and spinning, each run alone and batched.
        var models = new List<OnnxSentenceEmbeddingGenerator>();
        var modes = new List<(string Name, Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>> Generator)>();
        var batchers = new List<(string Name, QueryBatchingEmbeddingGenerator Generator)>();
        foreach (var t in threads)
        {
            foreach (var spin in spinning)
            {
                var model = new OnnxSentenceEmbeddingGenerator(new EmbeddingOptions { Threads = t, AllowSpinning = spin });
                var setting = $"Threads {t}, spinning {(spin ? "on" : "off")}";
                var batching = new QueryBatchingEmbeddingGenerator(model, batch);
                models.Add(model);
                modes.Add(($"{setting}: alone (QueryBatchSize 1)", model));
                modes.Add(($"{setting}: batched (QueryBatchSize {batch})", batching));
                batchers.Add((setting, batching));
            }
        }

        try
        {
            foreach (var (_, generator) in modes) await PassAsync(generator, 8, 64); // warm-up
            var results = modes.ToDictionary(m => m.Name, _ => callers.ToDictionary(c => c, _ => new List<(LoadResult Load, double CpuMs)>()));
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var count in callers)
                {
                    foreach (var (name, generator) in round % 2 == 1 ? modes : Enumerable.Reverse(modes))
                    {
                        var cpu = CpuAccount.Take([]);
                        var result = await PassAsync(generator, count, queries);
                        var (ownSeconds, _) = CpuAccount.Between(cpu, CpuAccount.Take([]), result.Seconds);
                        results[name][count].Add((result, ownSeconds * 1000 / queries));
                        Console.Error.WriteLine($"round {round}, {count} callers, {name}: {result.PerSecond:F0} queries/s");
                    }
                }
            }

            Console.WriteLine($"Query embedding ({models[0].ModelName}), {queries} queries per pass, best of {rounds} round(s); {Machine.Description()}");
            Console.WriteLine($"Load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
            foreach (var (setting, batching) in batchers) Console.WriteLine($"{setting}, batched: {batching.Batches} model runs in all.");
            Console.WriteLine("\n| callers | mode | queries/s | p50 ms | p95 ms | CPU ms/query (lowest) | queries/s ÷ first row of the callers |");
            Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|");
            foreach (var count in callers)
            {
                double? first = null;
                foreach (var (name, _) in modes)
                {
                    var best = results[name][count].MaxBy(r => r.Load.PerSecond).Load;
                    var cpuMs = results[name][count].Min(r => r.CpuMs);
                    first ??= best.PerSecond;
                    Console.WriteLine($"| {count} | {name} | {best.PerSecond:F0} | {best.P50:F1} | {best.P95:F1} | {cpuMs:F2} | {best.PerSecond / first.Value:F2} |");
                }
            }
            return 0;
        }
        finally
        {
            foreach (var (_, batching) in batchers) batching.Dispose();
            foreach (var model in models) model.Dispose();
        }
    }

    private static Task<LoadResult> PassAsync(Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>> generator,
        int callers, int queries) =>
        ConcurrentLoad.RunAsync(callers, queries, i => generator.GenerateQueryEmbeddingAsync(Questions[i % Questions.Length]));

    private static int[] Option(string[] args, string name, string fallback) =>
        OptionText(args, name, fallback).Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    private static string OptionText(string[] args, string name, string fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }
}
