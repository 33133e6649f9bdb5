using System.Diagnostics;
using System.Globalization;
using System.Text;
using Lode.Embeddings;
using Lode.Ingestion.Chunking;
using Lode.Ingestion.Extraction;

namespace Lode.Benchmarks;

/// <summary>
/// Throughput of <see cref="OnnxSentenceEmbeddingGenerator"/> on ~200-token chunks (what the chunker produces) across
/// models, batch sizes, ONNX Runtime intra-op threads and concurrent callers. Prints a markdown table (and writes it
/// with --out). Every model embeds the same chunks; within one configuration the models' runs alternate, so load from
/// other processes falls on all of them alike, and each row gives its ratio to the first model's chunks/s.
/// Each configuration runs --repeat times per model; the best run is reported (other processes only ever slow a run
/// down) with the median beside it. Options: --model all-MiniLM-L6-v2,snowflake-arctic-embed-xs (every known model),
/// --chunks N (64), --batch 1,8,32, --threads 1,2, --callers 1, --repeat 3, --out FILE.
/// </summary>
internal static class EmbeddingBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = Arguments.Parse(args);
        var models = options.Strings("model", SentenceEmbeddingModel.Known.Select(m => m.Id).ToArray()).Select(SentenceEmbeddingModel.Named).ToList();
        var chunkCount = options.Int("chunks", 64);
        var batchSizes = options.Ints("batch", [1, 8, 32]);
        var threadCounts = options.Ints("threads", [1, 2]);
        var callerCounts = options.Ints("callers", [1]);
        var repeat = Math.Max(1, options.Int("repeat", 3));

        var texts = MakeChunks(models[0], chunkCount, out var averageTokens);
        Console.Error.WriteLine($"{texts.Count} chunks, {averageTokens:F0} tokens on average; {Environment.ProcessorCount} logical CPUs");

        var table = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Embedding throughput: {string.Join(", ", models.Select(m => m.Id))} via ONNX Runtime, {texts.Count} chunks of ~{averageTokens:F0} tokens (as documents), {Environment.ProcessorCount} logical CPUs, {RuntimeInfo()}")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Best of {repeat} runs per row (median in brackets); ratio: this model's best chunks/s ÷ {models[0].Id}'s in the same configuration.")
            .AppendLine()
            .AppendLine("| model | threads | batch | callers | chunks/s | ms/chunk | tokens/s | ratio |")
            .AppendLine("|:------|--------:|------:|--------:|---------:|---------:|---------:|------:|");

        foreach (var threads in threadCounts)
        {
            foreach (var batch in batchSizes)
            {
                var generators = models.Select(m => new OnnxSentenceEmbeddingGenerator(new EmbeddingOptions { Model = m.Id, Threads = threads, BatchSize = batch })).ToList();
                try
                {
                    foreach (var generator in generators)
                    {
                        await generator.GenerateAsync(texts.Take(Math.Max(batch, 4)).ToList()); // warm-up: first runs plan and allocate
                    }

                    foreach (var callers in callerCounts)
                    {
                        var seconds = await TimeAlternatingAsync(generators, texts, callers, repeat);
                        var embedded = texts.Count * callers;
                        var baseline = embedded / seconds[0].Min();
                        for (var m = 0; m < generators.Count; m++)
                        {
                            var best = embedded / seconds[m].Min();
                            var median = embedded / seconds[m].Order().ElementAt(seconds[m].Count / 2);
                            var row = string.Create(CultureInfo.InvariantCulture,
                                $"| {models[m].Id} | {threads} | {batch} | {callers} | {best:F1} ({median:F1}) | {1000 / best:F1} | {best * (averageTokens + 2):F0} | {best / baseline:F2} |");
                            Console.Error.WriteLine(row);
                            table.AppendLine(row);
                        }
                    }
                }
                finally
                {
                    generators.ForEach(g => g.Dispose());
                }
            }
        }

        Console.WriteLine(table.ToString());
        if (options.String("out") is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await File.WriteAllTextAsync(path, table.ToString());
        }

        return 0;
    }

    /// <summary>Seconds of each run, per generator; run r of every generator comes before run r + 1 of any.</summary>
    private static async Task<List<double>[]> TimeAlternatingAsync(
        IReadOnlyList<OnnxSentenceEmbeddingGenerator> generators, List<string> texts, int callers, int repeat)
    {
        var seconds = generators.Select(_ => new List<double>()).ToArray();
        for (var run = 0; run < repeat; run++)
        {
            for (var m = 0; m < generators.Count; m++)
            {
                var watch = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(() => generators[m].GenerateAsync(texts))));
                seconds[m].Add(watch.Elapsed.TotalSeconds);
            }
        }

        return seconds;
    }

    /// <summary>
    /// Deterministic English-like text cut by the real chunker, counting with <paramref name="model"/>'s tokenizer,
    /// into chunks of at most 210 tokens (the known models share one vocabulary, so the chunks suit all of them).
    /// </summary>
    private static List<string> MakeChunks(SentenceEmbeddingModel model, int count, out double averageTokens)
    {
        string[] words =
        [
            "the", "retention", "policy", "requires", "that", "audit", "logs", "are", "kept", "for", "seven", "years", "and",
            "reviewed", "quarterly", "by", "the", "compliance", "team", "patients", "must", "sign", "consent", "forms",
            "before", "any", "procedure", "invoices", "above", "threshold", "need", "two", "approvals", "backups", "run",
            "nightly", "encryption", "keys", "rotate", "every", "ninety", "days", "incidents", "reported", "within", "hours",
        ];
        var random = new Random(1);
        var pages = new List<ExtractedPage>();
        using var counter = new OnnxSentenceEmbeddingGenerator(new EmbeddingOptions { Model = model.Id, Threads = 1 });
        var chunker = new TokenAwareChunker(counter, new ChunkingOptions { MaxTokens = 210, OverlapTokens = 0, MinTokens = 100 });
        List<TextChunk> chunks;
        do
        {
            var page = new StringBuilder();
            for (var s = 0; s < 40; s++)
            {
                var sentence = string.Join(' ', Enumerable.Range(0, random.Next(8, 30)).Select(_ => words[random.Next(words.Length)]));
                page.Append(char.ToUpperInvariant(sentence[0])).Append(sentence.AsSpan(1)).Append(". ");
            }

            pages.Add(new ExtractedPage(pages.Count + 1, page.ToString()));
            chunks = chunker.Chunk(new ExtractedDocument(pages)).Where(c => c.TokenCount >= 180).ToList();
        }
        while (chunks.Count < count);

        var selected = chunks.Take(count).ToList();
        averageTokens = selected.Average(c => c.TokenCount);
        return selected.Select(c => c.Text).ToList();
    }

    private static string RuntimeInfo() =>
        $"{System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";

    /// <summary>"--name value" pairs after the subcommand.</summary>
    private sealed class Arguments
    {
        private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

        public static Arguments Parse(string[] args)
        {
            var parsed = new Arguments();
            for (var i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                {
                    throw new ArgumentException($"Expected '--name value' pairs, got '{args[i]}'.");
                }

                parsed._values[args[i][2..]] = args[++i];
            }

            return parsed;
        }

        public string? String(string name) => _values.GetValueOrDefault(name);

        public int Int(string name, int fallback) =>
            _values.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

        public string[] Strings(string name, string[] fallback) =>
            _values.TryGetValue(name, out var value) ? value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : fallback;

        public int[] Ints(string name, int[] fallback) =>
            _values.ContainsKey(name) ? Strings(name, []).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray() : fallback;
    }
}
