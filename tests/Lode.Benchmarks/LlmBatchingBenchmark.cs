using System.Diagnostics;
using System.Globalization;
using System.Text;
using Lode.Chat.Models;
using Lode.Tests.Support;
using Microsoft.Extensions.AI;

namespace Lode.Benchmarks;

/// <summary>
/// Batched decoding against the per-context path (issue 15): aggregate generated tokens/s with 1, 2, 4, 8 concurrent
/// requests against the same model, and time to first token at the highest concurrency. The model is a synthetic
/// llama GGUF with random weights (TinyLlamaGguf's writer at a larger shape, ~36 M parameters by default), written to
/// the temp folder and deleted afterwards: large enough that one decode step is bound by reading the weights, not by
/// call overhead. Its answers never end early (special tokens are never sampled), so every request generates exactly
/// --tokens tokens. Within each concurrency the two paths alternate (--rounds times), so load from other processes hits
/// both alike; the table reports each path's best round (other processes only ever slow a round down) and the ratios. Options: --concurrency 1,2,4,8 --tokens 48 --rounds 2
/// --threads N (default: logical CPUs) --embedding 512 --ffn 1536 --blocks 10 --gpu-layers 0 --out FILE.
/// </summary>
internal static class LlmBatchingBenchmark
{
    private static readonly string[] Questions =
    [
        "what is the harbour policy?", "who wrote the report?", "how many people can come?", "find the source page",
        "when does the water go down?", "which document has the answer?", "what did they say about time?", "how long is the day?",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var options = Parse(args);
        var concurrency = Ints(options, "concurrency", [1, 2, 4, 8]);
        var tokens = Ints(options, "tokens", [48])[0];
        var rounds = Ints(options, "rounds", [2])[0];
        var threads = Ints(options, "threads", [Environment.ProcessorCount])[0];
        var gpuLayers = Ints(options, "gpu-layers", [0])[0];
        var shape = new TinyLlamaGguf.LlamaShape(
            Ints(options, "embedding", [512])[0], Ints(options, "ffn", [1536])[0], Ints(options, "blocks", [10])[0], HeadCount: 8);
        var maxConcurrency = concurrency.Max();

        var path = TinyLlamaGguf.WriteTempFile(contextLength: 4096, shape: shape);
        try
        {
            var parameters = shape.Parameters(TinyLlamaGguf.Vocabulary.Count);
            Console.Error.WriteLine($"Synthetic model: {parameters / 1e6:F1} M parameters, {new FileInfo(path).Length / 1e6:F0} MB (f32).");
            LlmOptions Options(bool batched) => new()
            {
                Provider = LlmProviders.LlamaSharp,
                ModelPath = path,
                BatchedDecoding = batched,
                MaxConcurrentSequences = maxConcurrency,
                MaxQueuedRequests = maxConcurrency,
                QueueTimeoutSeconds = 3600,
                // Batched: one cache for every sequence; per-context: this much per context.
                ContextSize = batched ? maxConcurrency * 256 : 256,
                MaxOutputTokens = tokens,
                Temperature = 0.8f,
                Seed = 1,
                Threads = threads,
                BatchSize = 256,
                GpuLayers = gpuLayers,
            };
            using var batched = new LlamaSharpLanguageModel(Options(batched: true));
            using var perContext = new LlamaSharpLanguageModel(Options(batched: false));
            await RoundAsync(batched, 1, tokens); // warm-up: page the weights in, create the contexts
            await RoundAsync(perContext, maxConcurrency, tokens);

            var rows = new List<Row>();
            foreach (var n in concurrency)
            {
                var runs = new Dictionary<string, List<Round>> { ["batched"] = [], ["per-context"] = [] };
                for (var round = 0; round < rounds; round++)
                {
                    // Alternate which path goes first, so neither always runs in the other's wake.
                    var order = round % 2 == 0 ? new[] { "batched", "per-context" } : ["per-context", "batched"];
                    foreach (var mode in order)
                    {
                        runs[mode].Add(await RoundAsync(mode == "batched" ? batched : perContext, n, tokens));
                        Console.Error.WriteLine($"  {n} concurrent, {mode}: {runs[mode][^1].TokensPerSecond:F1} tokens/s");
                    }
                }

                rows.Add(new Row(n, Best(runs["batched"]), Best(runs["per-context"])));
            }

            var table = Table(rows, parameters, tokens, rounds, threads, gpuLayers);
            Console.WriteLine(table);
            if (options.TryGetValue("out", out var output))
            {
                await File.AppendAllTextAsync(output, table);
            }

            return 0;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed record Round(double TokensPerSecond, double[] FirstTokenSeconds);

    private sealed record Row(int Concurrency, Round Batched, Round PerContext);

    /// <summary>n requests at once; tokens/s = all generated tokens over the wall time from the first start to the last end.</summary>
    private static async Task<Round> RoundAsync(LlamaSharpLanguageModel model, int n, int tokens)
    {
        var started = Stopwatch.GetTimestamp();
        var requests = Enumerable.Range(0, n).Select(i => Task.Run(async () =>
        {
            double? firstToken = null;
            var generated = 0;
            await foreach (var update in model.Client.GetStreamingResponseAsync(
                [new ChatMessage(ChatRole.System, "Answer from the sources."), new ChatMessage(ChatRole.User, Questions[i % Questions.Length])],
                new ChatOptions { MaxOutputTokens = tokens, Seed = i }))
            {
                if (update.Text.Length > 0 && firstToken is null)
                {
                    firstToken = Stopwatch.GetElapsedTime(started).TotalSeconds;
                }

                generated += update.Contents.OfType<UsageContent>().Sum(u => (int)(u.Details.OutputTokenCount ?? 0));
            }

            return (generated, firstToken ?? double.NaN);
        })).ToArray();
        var results = await Task.WhenAll(requests);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new Round(results.Sum(r => r.generated) / elapsed, results.Select(r => r.Item2).ToArray());
    }

    private static Round Best(List<Round> runs) => runs.MaxBy(r => r.TokensPerSecond)!;

    private static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    private static string Table(List<Row> rows, long parameters, int tokens, int rounds, int threads, int gpuLayers)
    {
        var baseline = rows.First();
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"Synthetic llama GGUF, {parameters / 1e6:F1} M parameters (f32, random weights); {tokens} tokens per answer; {threads} threads; GPU layers {gpuLayers}; best of {rounds} alternating rounds per path; {Machine.Description()}.");
        table.AppendLine();
        table.AppendLine("| concurrent | batched tokens/s | per-context tokens/s | batched ÷ per-context | batched ÷ batched at 1 | per-context ÷ per-context at 1 |");
        table.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Concurrency} | {row.Batched.TokensPerSecond:F1} | {row.PerContext.TokensPerSecond:F1} | {row.Batched.TokensPerSecond / row.PerContext.TokensPerSecond:F2}× | {row.Batched.TokensPerSecond / baseline.Batched.TokensPerSecond:F2}× | {row.PerContext.TokensPerSecond / baseline.PerContext.TokensPerSecond:F2}× |");
        }

        var top = rows.Last();
        table.AppendLine();
        table.AppendLine(CultureInfo.InvariantCulture, $"Time to first token at {top.Concurrency} concurrent (s, from the start of the round):");
        table.AppendLine();
        table.AppendLine("| path | p50 | p95 |");
        table.AppendLine("|---|---:|---:|");
        table.AppendLine(CultureInfo.InvariantCulture, $"| batched | {Percentile(top.Batched.FirstTokenSeconds, 0.5):F2} | {Percentile(top.Batched.FirstTokenSeconds, 0.95):F2} |");
        table.AppendLine(CultureInfo.InvariantCulture, $"| per-context | {Percentile(top.PerContext.FirstTokenSeconds, 0.5):F2} | {Percentile(top.PerContext.FirstTokenSeconds, 0.95):F2} |");
        return table.ToString();
    }

    private static Dictionary<string, string> Parse(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            }

            options[args[i][2..]] = args[i + 1];
        }

        return options;
    }

    private static int[] Ints(Dictionary<string, string> options, string name, int[] fallback) =>
        options.TryGetValue(name, out var value)
            ? value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray()
            : fallback;
}
