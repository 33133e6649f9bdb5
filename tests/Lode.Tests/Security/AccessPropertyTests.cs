using CsCheck;
using Lode.Ingestion.Pipeline;
using Lode.Retrieval;
using Lode.Access;
using Lode.Identity;
using Lode.Tests.Retrieval;
using Lode.Tests.Support;
using Xunit.Abstractions;

namespace Lode.Tests.Security;

/// <summary>
/// Property: whatever the documents' groups, the caller's groups, the query, the mode and the filters, no search ever
/// returns a chunk of a document none of the caller's groups may read; and nothing readable is held back (result counts
/// match a model of the corpus). Documents are written by the real JobQueue and IndexWriter (some re-grouped afterwards
/// the way an unchanged object with new metadata is), and searched by the real HybridRetriever in PostgreSQL.
/// </summary>
public sealed class AccessPropertyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Cases = 40;

    // Group names, including two that differ only in case: they are different groups.
    private static readonly string[] Groups = ["hr", "finance", "legal", "eng", "HR"];

    // Callers may also hold groups no document has, the admin group among them (it opens no documents).
    private static readonly string[] CallerGroups = [.. Groups, "nobody", "lode-admins"];

    // Words whose English stems are distinct and not stop words (checked below), so "a chunk matches the text query"
    // is exactly "it holds one of the query's words". The last word is in no document.
    private static readonly string[] Vocabulary =
        ["harbour", "ledger", "vaccine", "payroll", "glacier", "compass", "lantern", "orchard", "quartz", "tundra", "saffron", "violin"];
    private const string AbsentWord = "zyzzyva";

    private static readonly string[] Buckets = ["alpha", "beta"];
    private static readonly string[] Folders = ["hr/", "fin/", "pub/"];

    private TestDatabase _database = null!;
    private readonly BagOfWordsEmbedder _embedder = new();

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        // Hundreds of small transactions per run: not waiting for each commit to reach the disk keeps the run short
        // (durability is not what is tested; crash safety has its own tests).
        await _database.ExecuteAsync($"ALTER DATABASE {_database.Name} SET synchronous_commit = off");
        _database.DataSource.Clear();
        var lexemes = new List<string>();
        foreach (var word in Vocabulary.Append(AbsentWord))
            lexemes.Add(await _database.ScalarAsync<string>("SELECT array_to_string(tsvector_to_array(to_tsvector('english', $1)), ' ')", word));
        Assert.All(lexemes, l => Assert.DoesNotContain(' ', l));
        Assert.Equal(lexemes.Count, lexemes.Distinct().Count());
        Assert.DoesNotContain("", lexemes);
    }

    public Task DisposeAsync() => _database.DisposeAsync().AsTask();

    [Fact]
    public Task No_search_returns_a_chunk_the_caller_may_not_read_and_none_withholds_one_it_may() =>
        DeterministicProperty.CheckAsync(Scenario.Generator, CheckScenarioAsync, Cases, s => s.ToString(), output.WriteLine);

    private async Task CheckScenarioAsync(Scenario scenario)
    {
        await _database.ExecuteAsync("DELETE FROM documents; DELETE FROM ingest_jobs");
        var worker = new WorkerStandIn(_database, _embedder);
        await worker.IndexAsync(scenario.Documents.Select(d => new TestDocument(d.Bucket, d.Key, d.ChunkTexts, d.Groups)).ToList());
        await worker.RegroupAsync(scenario.Documents.Where(d => d.NewGroups is not null).Select(d => (d.Bucket, d.Key, d.NewGroups!)).ToList());

        var retriever = ChunkSeeder.Retriever(_database, _embedder);
        foreach (var ask in scenario.Asks)
        {
            var hits = await retriever.SearchAsync(ask.ToRequest(), default);
            var context = $"{ask} returned {string.Join(", ", hits.Select(h => $"{h.Bucket}/{h.Key}"))}";
            AssertOnlyReadable(scenario, ask, hits, context);
            AssertNothingWithheld(scenario, ask, hits, context);
        }
    }

    /// <summary>
    /// Each hit is a chunk of a document the caller may read, inside the filter, with that chunk's text; so is every
    /// other place it lists as holding the same text (<see cref="RetrievedChunk.AlsoIn"/>): a duplicate never reveals
    /// where else a text is stored unless the caller may read it there.
    /// </summary>
    private static void AssertOnlyReadable(Scenario scenario, Ask ask, IReadOnlyList<RetrievedChunk> hits, string context)
    {
        foreach (var hit in hits)
        {
            var document = scenario.Documents.SingleOrDefault(d => d.Bucket == hit.Bucket && d.Key == hit.Key);
            Assert.True(document is not null, $"unknown document {hit.Bucket}/{hit.Key}: {context}");
            Assert.True(document.ReadableBy(ask.Caller),
                $"LEAK: {hit.Bucket}/{hit.Key} is readable by [{string.Join(",", document.FinalGroups)}] only: {context}");
            Assert.True(ask.Admits(document), $"outside the filter: {context}");
            var ordinal = Enumerable.Range(0, document.ChunkTexts.Length)
                .Single(i => ChunkIdentity.For(document.Bucket, document.Key, i) == hit.ChunkId);
            Assert.Equal(document.ChunkTexts[ordinal], hit.Text);
            foreach (var other in hit.AlsoIn)
            {
                var copy = scenario.Documents.Single(d => d.Bucket == other.Bucket && d.Key == other.Key);
                Assert.True(copy.ReadableBy(ask.Caller) && ask.Admits(copy),
                    $"LEAK through alsoIn: {other.Bucket}/{other.Key} is readable by [{string.Join(",", copy.FinalGroups)}] only: {context}");
                Assert.Contains(hit.Text, copy.ChunkTexts);
            }
        }
        Assert.Equal(hits.Count, hits.Select(h => h.ChunkId).Distinct().Count());
        Assert.Equal(hits.Count, hits.Select(h => h.Text).Distinct().Count());
    }

    /// <summary>
    /// As many results as the readable part of the corpus allows: the filter by groups hides nothing else. Identical
    /// texts are one result, which lists every other readable copy.
    /// </summary>
    private static void AssertNothingWithheld(Scenario scenario, Ask ask, IReadOnlyList<RetrievedChunk> hits, string context)
    {
        var eligible = scenario.Documents.Where(d => d.ReadableBy(ask.Caller) && ask.Admits(d))
            .SelectMany(d => d.Chunks.Select((words, i) => (d.Bucket, d.Key, Text: string.Join(' ', words), Words: words))).ToList();
        if (ask.Mode == SearchMode.Text)
        {
            var matching = eligible.Where(c => c.Words.Intersect(ask.Words).Any()).Select(c => c.Text).ToHashSet();
            if (matching.Count <= ask.Top) Assert.True(matching.SetEquals(hits.Select(h => h.Text)), $"expected all {matching.Count} matching texts: {context}");
            else Assert.True(hits.Count == ask.Top, $"expected {ask.Top} of {matching.Count} matching texts: {context}");
        }
        else
        {
            // The vector list alone (at least 40 candidates, more than any top here) covers min(top, eligible texts).
            var expected = Math.Min(ask.Top, eligible.Select(c => c.Text).Distinct().Count());
            Assert.True(hits.Count == expected, $"expected {expected} of {eligible.Count} readable chunks: {context}");
        }

        foreach (var hit in hits)
        {
            var copies = eligible.Where(c => c.Text == hit.Text).Select(c => $"{c.Bucket}/{c.Key}").Order().ToList();
            copies.Remove($"{hit.Bucket}/{hit.Key}");
            Assert.True(copies.SequenceEqual(hit.AlsoIn.Select(o => $"{o.Bucket}/{o.Key}").Order()),
                $"'{hit.Text}' is also in [{string.Join(", ", copies)}] but alsoIn lists [{string.Join(", ", hit.AlsoIn.Select(o => $"{o.Bucket}/{o.Key}"))}]: {context}");
        }
    }

    /// <summary>A document of a scenario; <see cref="NewGroups"/>, when set, replace its groups after indexing.</summary>
    private sealed record SeededDocument(string Bucket, string Key, string[] Groups, string[][] Chunks, string[]? NewGroups)
    {
        public string[] FinalGroups => NewGroups ?? Groups;

        public string[] ChunkTexts => Chunks.Select(words => string.Join(' ', words)).ToArray();

        public bool ReadableBy(string[] caller) => FinalGroups.Intersect(caller, StringComparer.Ordinal).Any();

        public override string ToString() =>
            $"{Bucket}/{Key} [{string.Join(",", Groups)}]{(NewGroups is null ? "" : $"->[{string.Join(",", NewGroups)}]")}: {string.Join(" | ", ChunkTexts)}";
    }

    /// <summary>One search of a scenario.</summary>
    private sealed record Ask(string[] Words, string[] Caller, SearchMode Mode, int Top, string? Bucket, string? Prefix)
    {
        public SearchRequest ToRequest() => new(string.Join(' ', Words), Caller, Top, new SearchFilter(Bucket, Prefix), Mode);

        public bool Admits(SeededDocument d) =>
            (Bucket is null || d.Bucket == Bucket) && (Prefix is null || d.Key.StartsWith(Prefix, StringComparison.Ordinal));

        public override string ToString() =>
            $"[{string.Join(",", Caller)}] {Mode} top {Top} '{string.Join(' ', Words)}' bucket={Bucket ?? "*"} prefix={Prefix ?? "*"}";
    }

    private sealed record Scenario(SeededDocument[] Documents, Ask[] Asks)
    {
        private static readonly Gen<string[]> GroupSet =
            Gen.Bool.Array[Groups.Length].Select(mask => AccessGroups.Normalize(Groups.Where((_, i) => mask[i])));

        private static readonly Gen<string[]> Caller =
            from kind in Gen.Int[0, 5]
            from mask in Gen.Bool.Array[CallerGroups.Length]
            select kind switch
            {
                0 => AccessGroups.Normalize(CallerGroups),
                1 => [],
                _ => AccessGroups.Normalize(CallerGroups.Where((_, i) => mask[i])),
            };

        private static readonly Gen<(string Bucket, string Folder, string[] Groups, string[][] Chunks, string[]? NewGroups)> Document =
            from bucket in Gen.OneOf(Buckets)
            from folder in Gen.OneOf(Folders)
            from groups in GroupSet
            from chunks in Gen.OneOf(Vocabulary).Array[1, 4].Array[1, 3]
            from regroup in Gen.Int[0, 3]
            from newGroups in GroupSet
            select (bucket, folder, groups, chunks, regroup == 0 ? newGroups : null);

        private static readonly Gen<Ask> Question =
            from words in Gen.OneOf([.. Vocabulary, AbsentWord]).Array[1, 3]
            from caller in Caller
            from mode in Gen.Enum<SearchMode>()
            from top in Gen.Int[1, 10]
            from bucket in Gen.OneOf<string?>(null, null, "alpha", "beta")
            from prefix in Gen.OneOf<string?>(null, null, "hr/", "fin/", "pub/", "h", "x/")
            select new Ask(words, caller, mode, top, bucket, prefix);

        public static readonly Gen<Scenario> Generator =
            from documents in Document.Array[0, 24]
            from asks in Question.Array[15, 30]
            select new Scenario(
                documents.Select((d, i) => new SeededDocument(d.Bucket, $"{d.Folder}doc{i}.txt", d.Groups, d.Chunks, d.NewGroups)).ToArray(),
                asks);

        public override string ToString() =>
            $"{Documents.Length} documents:\n  {string.Join("\n  ", Documents.AsEnumerable())}\n{Asks.Length} searches:\n  {string.Join("\n  ", Asks.AsEnumerable())}";
    }
}
