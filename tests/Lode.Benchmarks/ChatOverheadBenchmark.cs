using System.Diagnostics;
using System.Net.Http.Json;
using Lode.Embeddings;
using Lode.Retrieval;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Benchmarks;

/// <summary>
/// Everything in a chat request but generation: with the extractive back-end, the time to the first server-sent event
/// of api/chat (authentication, JSON, query embedding, hybrid retrieval, answer assembly, HTTP) compared with its two
/// big parts measured alone on the same questions in the same run: embedding the query, and retrieval (which embeds too).
/// </summary>
public static class ChatOverheadBenchmark
{
    /// <summary>Questions the samples answer; the chat benchmarks (overhead, load, stage profile) all ask these.</summary>
    internal static readonly string[] Questions =
    [
        "What does the licence say about distributing modified versions?",
        "How are dpkg triggers activated?",
        "How do I run a benchmark with multiple threads?",
        "Which users and groups are created by the base system?",
        "What is an interest trigger?",
        "How do I report benchmark results as a table?",
        "Can I charge a fee for conveying copies?",
        "What happens when a trigger is activated during configuration?",
        "How are user IDs allocated on Debian?",
        "What does the warranty disclaimer say?",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var count = args is ["--questions", var n, ..] ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 100;
        await using var stack = await LodeStack.StartAsync(null, null, "--Logging:LogLevel:Default=Warning");
        var samples = Path.Combine(RepositoryRoot(), "infra", "local", "samples");
        foreach (var file in Directory.GetFiles(samples).Where(f => !f.EndsWith("README.md", StringComparison.Ordinal)))
        {
            await stack.PutAsync(Path.GetFileName(file), await File.ReadAllBytesAsync(file));
        }
        foreach (var file in Directory.GetFiles(samples).Where(f => !f.EndsWith("README.md", StringComparison.Ordinal)))
        {
            await stack.WaitForDocumentAsync(Path.GetFileName(file), d => d?.GetProperty("status").GetString() is "indexed" or "failed", TimeSpan.FromMinutes(5));
        }

        var embedder = stack.App.Services.GetRequiredService<OnnxSentenceEmbeddingGenerator>();
        var retriever = stack.App.Services.GetRequiredService<IRetriever>();
        var embed = new List<double>();
        var retrieve = new List<double>();
        var firstEvent = new List<double>();
        var whole = new List<double>();

        // Warm-up: first calls pay JIT and connection set-up.
        foreach (var q in Questions) await FirstEventAsync(stack.Api, q);

        for (var i = 0; i < count; i++)
        {
            var question = Questions[i % Questions.Length];
            var clock = Stopwatch.StartNew();
            await embedder.GenerateQueryEmbeddingAsync(question);
            embed.Add(clock.Elapsed.TotalMilliseconds);

            clock.Restart();
            await retriever.SearchAsync(new SearchRequest(question, TestReaders.Staff, 6), default);
            retrieve.Add(clock.Elapsed.TotalMilliseconds);

            var (first, all) = await FirstEventAsync(stack.Api, question);
            firstEvent.Add(first);
            whole.Add(all);
        }

        Console.WriteLine($"Chat overhead, extractive back-end, {count} questions ({Environment.ProcessorCount} cores)\n");
        Console.WriteLine("| measured | p50 ms | p95 ms | p50 ÷ retrieval p50 |");
        Console.WriteLine("|---|---:|---:|---:|");
        var baseline = Percentile(retrieve, 50);
        foreach (var (name, values) in new[]
        {
            ("query embedding alone", embed), ("retrieval alone (embed + hybrid SQL)", retrieve),
            ("api/chat: first SSE event", firstEvent), ("api/chat: whole stream", whole),
        })
        {
            Console.WriteLine($"| {name} | {Percentile(values, 50):F1} | {Percentile(values, 95):F1} | {Percentile(values, 50) / baseline:F2} |");
        }
        return 0;
    }

    private static async Task<(double FirstEvent, double Whole)> FirstEventAsync(HttpClient api, string question)
    {
        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/chat")
        {
            Content = JsonContent.Create(new { messages = new[] { new { role = "user", content = question } }, stream = true }),
        };
        using var response = await api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        double first = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (first == 0 && line.StartsWith("event: ", StringComparison.Ordinal)) first = clock.Elapsed.TotalMilliseconds;
        }
        return (first, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>Nearest-rank percentile (50: the median, the lower middle of an even count).</summary>
    internal static double Percentile(List<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("Serverless.sln not found above " + AppContext.BaseDirectory);
    }
}
