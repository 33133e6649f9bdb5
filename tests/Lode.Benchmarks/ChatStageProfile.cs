using System.Diagnostics;
using Lode.Audit;
using Lode.Chat;
using Lode.Embeddings;
using Lode.Identity;
using Lode.Retrieval;
using Lode.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Lode.Benchmarks;

/// <summary>
/// Where an extractive question's CPU goes, stage by stage: each layer of the request path is called alone, one call at
/// a time, through the app's own services, and the CPU of this process and the database's backends is read around
/// <c>n</c> calls. Layers nest (retrieval embeds, the chat service retrieves, the audited chat answers, the HTTP request
/// does all of it), so a stage's own cost is its layer minus the one inside. Serial calls show the cost without batching:
/// under load, query embedding shares ONNX runs (<see cref="QueryBatchingEmbeddingGenerator"/>).
/// </summary>
internal sealed class ChatStageProfile
{
    private readonly List<(string Layer, double CpuMs, double WallMs)> _layers = [];

    public static string Question(int i) => ChatOverheadBenchmark.Questions[i % ChatOverheadBenchmark.Questions.Length];

    public static async Task<ChatStageProfile> MeasureAsync(LodeStack stack, string apiKey, int n)
    {
        var services = stack.App.Services;
        var authenticator = services.GetRequiredService<StoredApiKeyAuthenticator>();
        var embedder = services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var retriever = services.GetRequiredService<IRetriever>();
        var chat = services.GetRequiredService<ChatService>();
        var audited = services.GetRequiredService<AuditedChat>();
        var caller = (await authenticator.AuthenticateAsync(apiKey, CancellationToken.None))!;
        using var client = stack.ClientFor(apiKey);
        var backends = await AppServices.DatabaseBackendsAsync(stack.Database);

        var profile = new ChatStageProfile();
        await profile.LayerAsync("authentication (stored API key)", n, backends, _ => authenticator.AuthenticateAsync(apiKey, CancellationToken.None));
        await profile.LayerAsync("query embedding", n, backends, i => embedder.GenerateQueryEmbeddingAsync(Question(i)));
        // The text list's stemming round trip as HybridRetriever sends it, alone: what folding it into the search would save.
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        await profile.LayerAsync("stemming round trip (to_tsvector, inside hybrid SQL)", n, backends, async i =>
        {
            await using var command = dataSource.CreateCommand("SELECT tsvector_to_array(to_tsvector($1::regconfig, $2))");
            command.Parameters.Add(new() { Value = "english" });
            command.Parameters.Add(new() { Value = Question(i) });
            await command.ExecuteScalarAsync();
        });
        await profile.LayerAsync("retrieval (embedding + hybrid SQL)", n, backends,
            i => retriever.SearchAsync(new SearchRequest(Question(i), TestReaders.Staff, new ChatSettings().Sources), CancellationToken.None));
        await profile.LayerAsync("chat service (retrieval + extractive answer)", n, backends, i => chat.AnswerAsync(Request(i), CancellationToken.None));
        await profile.LayerAsync("audited chat (+ audit row)", n, backends, i => audited.AnswerAsync(caller, AuditSurfaces.Chat, Request(i), CancellationToken.None));
        await profile.LayerAsync("HTTP api/chat (everything, client included)", n, backends, async i =>
        {
            using var response = await client.PostAsync("api/chat", ChatLoadBenchmark.ChatBody(Question(i)));
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
        });
        return profile;
    }

    public void Print()
    {
        double Cpu(string prefix) => _layers.First(l => l.Layer.StartsWith(prefix, StringComparison.Ordinal)).CpuMs;
        var stages = new (string Stage, double CpuMs)[]
        {
            ("authentication: SHA-256 + api_keys lookup", Cpu("authentication")),
            ("query embedding (serial, unbatched)", Cpu("query embedding")),
            ("hybrid SQL + fusion (retrieval − embedding)", Cpu("retrieval") - Cpu("query embedding")),
            ("  of which the stemming round trip", Cpu("stemming")),
            ("extractive answer (chat service − retrieval)", Cpu("chat service") - Cpu("retrieval")),
            ("audit row (audited − chat service)", Cpu("audited") - Cpu("chat service")),
            ("HTTP, JSON, middleware, rate limit, client (HTTP − audited − authentication)", Cpu("HTTP") - Cpu("audited") - Cpu("authentication")),
        };
        Console.WriteLine("Layers, called alone one at a time (CPU of this process + PostgreSQL backends, per call):\n");
        Console.WriteLine("| layer | CPU ms/call | wall ms/call |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var (layer, cpu, wall) in _layers) Console.WriteLine($"| {layer} | {cpu:F2} | {wall:F2} |");
        Console.WriteLine("\nStages (differences of nested layers; CPU ticks are 10 ms, so small stages carry ±0.1–0.2 ms):\n");
        Console.WriteLine("| stage | CPU ms/question | share of HTTP |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var (stage, cpu) in stages) Console.WriteLine($"| {stage} | {cpu:F2} | {100 * cpu / Cpu("HTTP"):F0}% |");
    }

    private static ChatRequest Request(int i) => new([new ChatTurn("user", Question(i))], TestReaders.Staff);

    private async Task LayerAsync(string layer, int n, List<int> backends, Func<int, Task> call)
    {
        for (var i = 0; i < 10; i++) await call(i); // warm
        var cpu = CpuAccount.Take(backends);
        var wall = Stopwatch.StartNew();
        for (var i = 0; i < n; i++) await call(i);
        var elapsed = wall.Elapsed.TotalMilliseconds;
        var (ownSeconds, _) = CpuAccount.Between(cpu, CpuAccount.Take(backends), elapsed / 1000);
        _layers.Add((layer, ownSeconds * 1000 / n, elapsed / n));
    }
}
