using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Lode.Database;
using Lode.Identity;
using Lode.Tests.Retrieval;
using Lode.Tests.Support;
using System.Text.Json;
using Lode.Chat;
using Lode.Embeddings;
using Lode.Retrieval;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Benchmarks;

/// <summary>
/// Chat throughput (issue 16): <c>--concurrency</c> closed-loop clients fire extractive <c>api/chat</c> questions at the
/// real app on Kestrel (real PostgreSQL, real ONNX query embeddings, no LLM), spread over <c>--callers</c> callers with
/// API keys of their own (made through the admin repository, as <c>lode keys create</c> does). Prints requests/s, p50/p95
/// and the CPU seconds per request of this process (app and clients) plus the database's backends — the figure to
/// compare on this shared machine — then where a question's CPU goes (<see cref="ChatStageProfile"/>).
/// </summary>
internal static class ChatLoadBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var requests = Option(args, "--requests", 1000);
        var concurrency = Option(args, "--concurrency", 50);
        var callers = Option(args, "--callers", 27);
        var manuals = args.Contains("--manuals");
        var settings = args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=')).ToArray();

        // Variants ("--variants 'Database:MaxAutoPrepare=0|'"): one app per variant, measured one after another in this
        // run, so a change is compared with what it replaces under the same machine load.
        var variants = (OptionText(args, "--variants") ?? "").Split('|').Select(v => v.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(setting => "--" + setting).ToArray()).ToArray();
        var rounds = Option(args, "--rounds", 1);
        var rows = new List<string>();
        var profiles = new List<(string Variant, ChatStageProfile Profile)>();

        // The limiter stays on (its cost is part of a request) but never refuses: 27 callers at the default 120 a
        // minute would cap the run at 54 requests/s.
        // A kept index outlives its S3 server: no reconciliation may compare it with the new, empty one.
        string[] common = ["--Logging:LogLevel:Default=Warning", "--Security:RateLimit:PermitsPerMinute=1000000",
            "--Security:RateLimit:Burst=1000000", "--Llm:Provider=none", "--AzureWebJobs.ReconcileTimer.Disabled=true", .. settings];
        // The corpus is indexed once (the manuals take a quarter of an hour on this machine) and every variant's app is
        // started on that same database and store, so the variants differ in their settings only. --keep leaves the
        // indexed database behind (its name is printed) for --reuse to measure again without indexing.
        var reuse = OptionText(args, "--reuse");
        var database = reuse is { } name ? TestDatabase.Attach(name) : await TestDatabase.CreateAsync(migrate: false, namePrefix: "lode_chatload_");
        if (args.Contains("--keep")) database.Keep();
        Console.Error.WriteLine($"Database {database.Name}");
        await using var stack = await LodeStack.StartAsync(database, null, common);
        if (reuse is null) await IndexCorpusAsync(stack, manuals);
        // Stored callers of an earlier run of a kept database are left as they are; this run makes its own.
        var chunks = await stack.Database.ScalarAsync<long>("SELECT count(*) FROM chunks");
        var documents = await stack.Database.ScalarAsync<long>("SELECT count(*) FROM documents");
        if (OptionText(args, "--explain") is { } planFile)
        {
            await ExplainAsync(stack, planFile);
            return 0;
        }
        var keys = await CreateCallersAsync(stack, callers);
        var clients = keys.Select(stack.ClientFor).ToArray();

        // Rounds alternate the order (A B, then B A, ...), so a drift in the machine's other load does not favour one.
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var variant in round % 2 == 1 ? variants : variants.Reverse().ToArray())
            {
                await stack.RestartAppAsync(null, null, [.. common, .. variant]);
                // JIT, connection pools and the embedder's first runs, at full concurrency.
                await PassAsync(clients, concurrency, Math.Max(200, concurrency * 4));
                var embedder = stack.App.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>() as QueryBatchingEmbeddingGenerator;
                var runsBefore = embedder?.Batches ?? 0;
                var cpu = CpuAccount.Take(await AppServices.DatabaseBackendsAsync(stack.Database));
                var load = await PassAsync(clients, concurrency, requests);
                var used = CpuAccount.Take(await AppServices.DatabaseBackendsAsync(stack.Database));
                var (ownSeconds, otherCores) = CpuAccount.Between(cpu, used, load.Seconds);
                var perRun = embedder is null ? "unbatched" : $"{(double)requests / Math.Max(1, embedder.Batches - runsBefore):F1}";
                var variantName = variant.Length == 0 ? "defaults" : string.Join(' ', variant);
                rows.Add($"| {round} | {variantName} | {load.PerSecond:F1} | {load.P50:F1} | {load.P95:F1} | {ownSeconds * 1000 / requests:F1} | " +
                    $"{otherCores:F2} | {perRun} | {LoadAverage()} |");
                if (round == 1) profiles.Add((variantName, await ChatStageProfile.MeasureAsync(stack, keys[0], Math.Max(100, requests / 5))));
            }
        }
        var header = $"Chat throughput (extractive), {requests} requests, {concurrency} concurrent clients, {callers} callers, " +
            $"{chunks} chunks in {documents} documents ({(manuals ? "samples + manuals" : reuse is null ? "samples" : "database " + reuse)}); " +
            Machine.Description();

        Console.WriteLine(header);
        Console.WriteLine($"Load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}; settings: {string.Join(' ', settings)}\n");
        Console.WriteLine("| round | variant | requests/s | p50 ms | p95 ms | CPU ms/request (app + clients + PostgreSQL) | other load (cores) | queries per ONNX run | load average (1 min) |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows) Console.WriteLine(row);
        foreach (var (variant, profile) in profiles)
        {
            Console.WriteLine($"\n{variant}:\n");
            profile.Print();
        }
        return 0;
    }

    private static async Task IndexCorpusAsync(LodeStack stack, bool manuals)
    {
        var samples = Directory.GetFiles(Path.Combine(ChatOverheadBenchmark.RepositoryRoot(), "infra", "local", "samples"))
            .Where(f => !f.EndsWith("README.md", StringComparison.Ordinal)).ToList();
        foreach (var file in samples) await stack.PutAsync(Path.GetFileName(file), await File.ReadAllBytesAsync(file));
        foreach (var file in samples)
            await stack.WaitForDocumentAsync(Path.GetFileName(file), d => d?.GetProperty("status").GetString() is "indexed" or "failed", TimeSpan.FromMinutes(5));
        if (manuals) await ManualsIndex.IndexAsync(stack, await ManualsCorpus.EnsureAsync(), TimeSpan.FromHours(1));
        await stack.WaitForQueueEmptyAsync(TimeSpan.FromMinutes(10));
    }

    // EXPLAIN (ANALYZE, BUFFERS) of each benchmark question's hybrid search as the chat service sends it, one JSON
    // plan per line: where the search statement's time goes on this corpus.
    private static async Task ExplainAsync(LodeStack stack, string planFile)
    {
        var retriever = stack.App.Services.GetRequiredService<HybridRetriever>();
        var embedder = stack.App.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var plans = new List<string>();
        for (var i = 0; i < ChatOverheadBenchmark.Questions.Length; i++)
        {
            var question = ChatStageProfile.Question(i);
            var vector = (await embedder.GenerateQueryEmbeddingAsync(question)).Vector;
            var request = new SearchRequest(question, TestReaders.Staff, new ChatSettings().Sources);
            await retriever.ExplainAsync(request, vector, CancellationToken.None); // warm: plans and buffers
            plans.Add(JsonDocument.Parse(await retriever.ExplainAsync(request, vector, CancellationToken.None)).RootElement.GetRawText());
        }
        await File.WriteAllLinesAsync(planFile, plans);
        Console.Error.WriteLine($"Wrote {plans.Count} plans to {planFile}");
    }

    // Stored keys, as production callers have them: each request is authenticated against the api_keys table.
    private static async Task<string[]> CreateCallersAsync(LodeStack stack, int callers)
    {
        var repository = stack.App.Services.GetRequiredService<ApiKeyRepository>();
        var keys = new string[callers];
        for (var i = 0; i < callers; i++)
        {
            keys[i] = ApiKeyGenerator.NewKey();
            await repository.CreateAsync(new NewApiKeyRow($"bench-caller-{i:D2}", ApiKeyHash.Of(keys[i]), TestReaders.Staff, "benchmark", null), CancellationToken.None);
        }
        return keys;
    }

    private static Task<LoadResult> PassAsync(HttpClient[] clients, int concurrency, int requests) =>
        ConcurrentLoad.RunAsync(concurrency, requests, async i =>
        {
            using var response = await clients[i % clients.Length].PostAsync("api/chat", ChatBody(ChatStageProfile.Question(i)));
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"api/chat answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            await response.Content.ReadAsByteArrayAsync();
        });

    internal static JsonContent ChatBody(string question) =>
        JsonContent.Create(new { messages = new[] { new { role = "user", content = question } } });

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static string? OptionText(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
