using System.Text.Json;
using Lode.Retrieval;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Lode.Tests.Retrieval;

/// <summary>Four Debian manuals (241 pages) put through S3, the webhook and the real ingestion pipeline.</summary>
public sealed class DebianCorpusFixture : IAsyncLifetime
{
    public LodeStack Stack { get; private set; } = null!;
    public TimeSpan IndexingTime { get; private set; }

    public async Task InitializeAsync()
    {
        var files = await DebianCorpus.EnsureAsync();
        Stack = await LodeStack.StartAsync();
        var timer = System.Diagnostics.Stopwatch.StartNew();
        foreach (var (document, path) in files)
            await Stack.PutAsync(document.Key, await File.ReadAllBytesAsync(path), "application/pdf");
        foreach (var document in files.Keys)
        {
            var state = await Stack.WaitForDocumentAsync(document.Key,
                d => d?.GetProperty("status").GetString() is "indexed" or "failed", TimeSpan.FromMinutes(15));
            if (state?.GetProperty("status").GetString() != "indexed")
                throw new InvalidOperationException($"{document.Key} was not indexed: {state}");
        }
        IndexingTime = timer.Elapsed;
    }

    public async Task DisposeAsync() => await Stack.DisposeAsync();
}

/// <summary>
/// Does hybrid retrieval put the passage that answers a question in the top 3, and more often than either list alone?
/// The questions (quality-questions.json) were written by reading the manuals; about half reuse the passage's own
/// terms, half ask in other words.
/// </summary>
public sealed class RetrievalQualityTests(DebianCorpusFixture fixture, ITestOutputHelper output) : IClassFixture<DebianCorpusFixture>
{
    private const int Top = 3;

    private sealed record Question(string Text, string Key, int Page, string Style);

    private static List<Question> LoadQuestions()
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Retrieval", "quality-questions.json")));
        return json.RootElement.GetProperty("questions").EnumerateArray()
            .Select(q => new Question(q.GetProperty("question").GetString()!, q.GetProperty("key").GetString()!,
                q.GetProperty("page").GetInt32(), q.GetProperty("style").GetString()!))
            .ToList();
    }

    /// <summary>1-based rank of the first result from the right document whose page span holds the page; 0 if none.</summary>
    private static int RankOfAnswer(IReadOnlyList<RetrievedChunk> results, Question q)
    {
        for (var i = 0; i < results.Count; i++)
            if (results[i].Key == q.Key && results[i].PageStart <= q.Page && q.Page <= results[i].PageEnd) return i + 1;
        return 0;
    }

    [Fact]
    public async Task Hybrid_puts_the_answer_in_the_top_3_for_nearly_all_questions_and_beats_each_list_alone()
    {
        var retriever = fixture.Stack.App.Services.GetRequiredService<IRetriever>();
        var questions = LoadQuestions();
        var modes = new[] { SearchMode.Hybrid, SearchMode.Vector, SearchMode.Text };
        var hits = modes.ToDictionary(m => m, _ => new List<bool>());

        output.WriteLine($"Corpus indexed in {fixture.IndexingTime.TotalSeconds:F0} s: " +
            $"{await fixture.Stack.Database.ScalarAsync<long>("SELECT count(*) FROM chunks")} chunks, " +
            $"{await fixture.Stack.Database.ScalarAsync<long>("SELECT sum(pages) FROM documents")} pages.");
        output.WriteLine("rank of the answer (0 = not in top 3): hybrid vector text | style | question");
        foreach (var q in questions)
        {
            var ranks = new List<int>();
            foreach (var mode in modes)
            {
                var results = await retriever.SearchAsync(new SearchRequest(q.Text, TestReaders.Staff, Top, Mode: mode), default);
                var rank = RankOfAnswer(results, q);
                hits[mode].Add(rank > 0);
                ranks.Add(rank);
            }
            output.WriteLine($"{ranks[0]} {ranks[1]} {ranks[2]} | {q.Style,-10} | {q.Text}");
        }

        double Rate(SearchMode mode, string? style = null) =>
            (double)questions.Where((q, i) => (style is null || q.Style == style) && hits[mode][i]).Count() /
            questions.Count(q => style is null || q.Style == style);
        foreach (var mode in modes)
            output.WriteLine($"hit@{Top} {mode,-6}: {Rate(mode):P1} (keyword {Rate(mode, "keyword"):P1}, paraphrase {Rate(mode, "paraphrase"):P1})");

        Assert.True(questions.Count >= 25, "the question set is too small to mean anything");
        Assert.True(Rate(SearchMode.Hybrid) >= 0.85, $"hybrid hit@3 is {Rate(SearchMode.Hybrid):P1}, below 85%");
        Assert.True(Rate(SearchMode.Hybrid) > Rate(SearchMode.Vector), $"hybrid ({Rate(SearchMode.Hybrid):P1}) does not beat vector-only ({Rate(SearchMode.Vector):P1})");
        Assert.True(Rate(SearchMode.Hybrid) > Rate(SearchMode.Text), $"hybrid ({Rate(SearchMode.Hybrid):P1}) does not beat text-only ({Rate(SearchMode.Text):P1})");
    }
}
