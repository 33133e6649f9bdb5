using System.ComponentModel.DataAnnotations;
using Lode.Database.Generations;
using Lode.Embeddings;
using Lode.Retrieval;
using Lode.Tests.Support;
using Npgsql;

namespace Lode.Tests.Retrieval;

/// <summary>
/// A small corpus of real MiniLM vectors in its own database: a few buckets, key prefixes and content types, a pending
/// document, and keys with LIKE wildcards in them.
/// </summary>
public sealed class SmallCorpusFixture : IAsyncLifetime
{
    public static readonly (string Bucket, string Key, string? ContentType, string Status, (int From, int To, string Text)[] Chunks)[] Documents =
    [
        ("alpha", "hr/leave-policy.pdf", "application/pdf", "indexed", [
            (1, 1, "Annual leave. Every employee accrues twenty-five days of paid annual leave per calendar year. Unused days may be carried over until the end of March."),
            (2, 2, "Sick leave. Staff who are ill must inform their manager before nine o'clock. A doctor's certificate is required from the fourth day of absence."),
            (3, 4, "Parental leave. Parents may take up to sixteen weeks of parental leave, which can be split into two blocks."),
        ]),
        ("alpha", "it/vpn-guide.md", "text/markdown", "indexed", [
            (1, 1, "Connecting to the VPN. Install the WireGuard client, import the profile from the self-service portal and activate the tunnel before opening internal sites."),
            (1, 1, "Error code XK-42 means the tunnel certificate expired; request a new certificate through the service desk."),
        ]),
        ("alpha", "it/passwords.txt", "text/plain; charset=utf-8", "indexed", [
            (1, 1, "Passwords must be at least fourteen characters long and are rotated every ninety days. Never reuse a password across systems."),
        ]),
        ("beta", "hr/leave-policy.pdf", "application/pdf", "indexed", [
            (1, 1, "Contractors do not accrue annual leave; their days off are agreed in the contract."),
            (2, 2, "Public holidays: the office is closed on national public holidays and on the 24th of December."),
        ]),
        ("beta", "finance/expenses.txt", "Text/Plain", "indexed", [
            (1, 1, "Travel expenses must be claimed within thirty days of the trip. Attach every receipt; claims without receipts are rejected."),
            (2, 2, "Meals during business travel are reimbursed up to forty euros per day."),
        ]),
        ("beta", "finance/budget-2024.pdf", "application/pdf", "indexed", [
            (5, 5, "The marketing budget for 2024 is 1.2 million euros, of which half goes to trade fairs."),
        ]),
        ("gamma", "a_b/notes.md", "text/markdown", "indexed", [
            (1, 1, "Kitchen rules: clean the coffee machine every Friday and empty the dishwasher in the morning."),
        ]),
        ("gamma", "a%c/notes.md", null, "indexed", [
            (1, 1, "Bicycle parking is in the basement; use the side entrance next to the loading bay."),
        ]),
        ("gamma", "other/evacuation.pdf", "application/pdf", "pending", [
            (1, 1, "The fire assembly point is the car park behind building C. Leave by the nearest exit and do not use the lifts."),
        ]),
    ];

    public TestDatabase Database { get; private set; } = null!;
    public OnnxSentenceEmbeddingGenerator Embedder { get; } = new(new EmbeddingOptions { BatchSize = 8 });

    /// <summary>Chunk id → (bucket, key, content type) as stored.</summary>
    public Dictionary<Guid, (string Bucket, string Key, string? ContentType)> Chunks { get; } = [];

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        foreach (var (bucket, key, contentType, status, chunks) in Documents)
        {
            var documentId = await ChunkSeeder.AddDocumentAsync(Database, bucket, key, contentType, status);
            var vectors = await Embedder.GenerateAsync(chunks.Select(c => c.Text));
            var ids = await ChunkSeeder.AddChunksAsync(Database,
                chunks.Select((c, i) => (documentId, new SeedChunk(c.From, c.To, c.Text, vectors[i].Vector.ToArray()))));
            foreach (var id in ids) Chunks[id] = (bucket, key, contentType);
        }
        await ChunkSeeder.AnalyzeAsync(Database);
    }

    public async Task DisposeAsync()
    {
        Embedder.Dispose();
        await Database.DisposeAsync();
    }
}

public sealed class HybridRetrieverTests(SmallCorpusFixture fixture) : IClassFixture<SmallCorpusFixture>
{
    private HybridRetriever Retriever(RetrievalOptions? options = null) =>
        ChunkSeeder.Retriever(fixture.Database, fixture.Embedder, options);

    [Fact]
    public async Task Hybrid_scores_are_the_reciprocal_rank_fusion_of_the_vector_and_text_lists()
    {
        var options = new RetrievalOptions { VectorCandidates = 4, TextCandidates = 4, RrfK = 60 };
        var retriever = Retriever(options);
        const string query = "annual leave or holidays";

        var vector = await retriever.SearchAsync(new SearchRequest(query, TestReaders.Staff, 4, Mode: SearchMode.Vector), default);
        var text = await retriever.SearchAsync(new SearchRequest(query, TestReaders.Staff, 4, Mode: SearchMode.Text), default);
        // Top 4 = the candidate list length, so the lists fused are exactly the two above.
        var hybrid = await retriever.SearchAsync(new SearchRequest(query, TestReaders.Staff, 4), default);

        Assert.Equal(4, vector.Count);
        Assert.InRange(text.Count, 2, 4);
        var expected = new Dictionary<Guid, double>();
        // The text list weighs TextWeight, except for chunks holding every query word (text score ≥ 1), which weigh 1.
        foreach (var (list, weightOf) in new (IReadOnlyList<RetrievedChunk>, Func<RetrievedChunk, double>)[]
                 { (vector, _ => 1.0), (text, t => t.Score >= 1 ? 1.0 : options.TextWeight) })
            for (var rank = 1; rank <= list.Count; rank++)
                expected[list[rank - 1].ChunkId] = expected.GetValueOrDefault(list[rank - 1].ChunkId) + weightOf(list[rank - 1]) / (60 + rank);

        Assert.Equal(4, hybrid.Count);
        foreach (var hit in hybrid) Assert.Equal(expected[hit.ChunkId], hit.Score, 1e-12);
        Assert.Equal(expected.Values.OrderDescending().Take(4), hybrid.Select(h => h.Score), new ToleranceComparer(1e-12));
        // A chunk both lists found beats every chunk only one list found.
        var both = vector.Select(v => v.ChunkId).Intersect(text.Select(t => t.ChunkId)).ToHashSet();
        Assert.NotEmpty(both);
        Assert.All(hybrid.Take(both.Count), h => Assert.Contains(h.ChunkId, both));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }

    [Fact]
    public async Task Hybrid_finds_a_paraphrase_by_meaning_and_an_identifier_by_its_letters()
    {
        var retriever = Retriever();

        // Hardly a word in common with the chunk: no chunk holds the whole query, the vector list carries it.
        const string question = "How many vacation days do workers get each year?";
        var paraphrase = await retriever.SearchAsync(new SearchRequest(question, TestReaders.Staff, 3), default);
        Assert.Contains("twenty-five days of paid annual leave", paraphrase[0].Text);
        Assert.Equal(("alpha", "hr/leave-policy.pdf", 1, 1), (paraphrase[0].Bucket, paraphrase[0].Key, paraphrase[0].PageStart, paraphrase[0].PageEnd));
        Assert.All(await retriever.SearchAsync(new SearchRequest(question, TestReaders.Staff, 3, Mode: SearchMode.Text), default),
            h => Assert.True(h.Score < 1, "only partial matches (score < 1)"));

        var code = await retriever.SearchAsync(new SearchRequest("XK-42", TestReaders.Staff, 3), default);
        Assert.Contains("XK-42", code[0].Text);
        var textOnly = await retriever.SearchAsync(new SearchRequest("XK-42", TestReaders.Staff, 3, Mode: SearchMode.Text), default);
        Assert.Contains("XK-42", Assert.Single(textOnly).Text);
    }

    [Fact]
    public async Task Text_search_ranks_a_match_of_the_whole_query_above_partial_matches()
    {
        var hits = await Retriever().SearchAsync(new SearchRequest("sick leave certificate", TestReaders.Staff, 5, Mode: SearchMode.Text), default);

        Assert.Contains("doctor's certificate", hits[0].Text);
        Assert.InRange(hits[0].Score, 1, 2);
        Assert.All(hits.Skip(1), h => Assert.InRange(h.Score, 0, 1));
        Assert.True(hits.Count >= 3, "chunks holding only 'leave' follow");

        // A quoted phrase must match as a phrase to rank first; its words still find the rest.
        var phrase = await Retriever().SearchAsync(new SearchRequest("\"public holidays\"", TestReaders.Staff, 5, Mode: SearchMode.Text), default);
        Assert.Contains("national public holidays", phrase[0].Text);
        Assert.True(phrase[0].Score >= 1);
    }

    [Theory]
    [InlineData("how do I stop upgrades", "how do I stop upgrades", "how or do or I or stop or upgrades")]
    [InlineData("what does -lfoo --force do", "what does lfoo force do", "what or does or lfoo or force or do")]
    [InlineData("\"exact phrase\" other", "\"exact phrase\" other", "exact or phrase or other")]
    [InlineData("\"keep -dash\" -x", "\"keep -dash\" x", "keep or dash or x")]
    [InlineData("a or b OR c", "a or b OR c", "a or b or c")]
    [InlineData("- -- \"\"", "\"\"", "")]
    public void Text_query_words(string query, string all, string any)
    {
        var words = TextQuery.From(query);
        Assert.Equal(all, words.AllWords);
        Assert.Equal(any, words.AnyWord);
    }

    [Fact]
    public async Task Results_carry_the_page_span_and_vector_scores_are_cosine_similarities()
    {
        var hits = await Retriever().SearchAsync(new SearchRequest("parental leave for sixteen weeks", TestReaders.Staff, 2, Mode: SearchMode.Vector), default);

        Assert.Equal((3, 4), (hits[0].PageStart, hits[0].PageEnd));
        Assert.InRange(hits[0].Score, 0.5, 1.0);
        Assert.True(hits[0].Score >= hits[1].Score);
    }

    public static TheoryData<string?, string?, string?, SearchMode> Filters()
    {
        var data = new TheoryData<string?, string?, string?, SearchMode>();
        (string?, string?, string?)[] filters =
        [
            ("alpha", null, null), ("beta", null, null), ("gamma", null, null),
            (null, "hr/", null), (null, "finance/", null), ("alpha", "it/", null),
            (null, null, "application/pdf"), (null, null, "text/plain"), (null, null, "TEXT/PLAIN; charset=latin1"),
            ("beta", "finance/", "application/pdf"),
        ];
        foreach (var (bucket, prefix, type) in filters)
            foreach (var mode in Enum.GetValues<SearchMode>())
                data.Add(bucket, prefix, type, mode);
        return data;
    }

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Filters_never_let_another_documents_chunk_through(string? bucket, string? prefix, string? contentType, SearchMode mode)
    {
        var retriever = Retriever(new RetrievalOptions { VectorCandidates = 50, TextCandidates = 50 });
        var filter = new SearchFilter(bucket, prefix, contentType);
        var allowed = fixture.Chunks.Where(c =>
                (bucket is null || c.Value.Bucket == bucket) &&
                (prefix is null || c.Value.Key.StartsWith(prefix, StringComparison.Ordinal)) &&
                (contentType is null || (c.Value.ContentType is { } t &&
                    string.Equals(t.Split(';')[0].Trim(), contentType.Split(';')[0].Trim(), StringComparison.OrdinalIgnoreCase))))
            .Select(c => c.Key).ToHashSet();
        Assert.NotEmpty(allowed);

        // Text queries that match across every bucket, so an unfiltered search would return forbidden rows.
        foreach (var query in new[] { "leave or days or expenses or budget or password or VPN or kitchen or bicycle", "policy for staff" })
        {
            var hits = await retriever.SearchAsync(new SearchRequest(query, TestReaders.Staff, 50, filter, mode), default);
            Assert.All(hits, h => Assert.Contains(h.ChunkId, allowed));
            if (mode != SearchMode.Text || query.Contains(" or ")) Assert.NotEmpty(hits);
            // Everything the filter allows is reachable: vector search over a tiny table returns all of it.
            if (mode == SearchMode.Vector) Assert.Equal(allowed.Order(), hits.Select(h => h.ChunkId).Order());
        }
    }

    [Theory]
    [InlineData("a_")]  // LIKE would read _ as any character and let "a%c/" through
    [InlineData("a%")]
    public async Task A_key_prefix_means_its_literal_characters(string prefix)
    {
        var hits = await Retriever().SearchAsync(new SearchRequest("kitchen bicycle coffee parking", TestReaders.Staff, 10, new SearchFilter(KeyPrefix: prefix), SearchMode.Vector), default);

        var hit = Assert.Single(hits);
        Assert.StartsWith(prefix, hit.Key, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chunks_of_a_document_being_reindexed_are_still_served()
    {
        var hits = await Retriever().SearchAsync(new SearchRequest("where do we gather when the fire alarm rings", TestReaders.Staff, 1), default);

        Assert.Equal("other/evacuation.pdf", hits[0].Key);
    }

    public static TheoryData<string> HostileQueries => new()
    {
        "'; DROP TABLE chunks; --",
        "\"; DROP TABLE documents; --",
        "a & b | !c",
        "!!! & | <-> :* ( ) ' \"",
        "unbalanced \"quote",
        "it's o'clock",
        "(((leave",
        "leave:* & !!sick",
        "$1 $2 ::regconfig \\ /* */",
        "1); SELECT pg_sleep(10); --",
        "null\0byte",
        "lone \ud800 surrogate",
        "-",
        "\"\"",
        "or or or",
        "日本語のクエリ",
    };

    [Theory]
    [MemberData(nameof(HostileQueries))]
    public async Task Hostile_queries_are_only_text(string query)
    {
        var before = await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM chunks");
        var retriever = Retriever();

        foreach (var mode in Enum.GetValues<SearchMode>())
        {
            var hits = await retriever.SearchAsync(new SearchRequest(query, TestReaders.Staff, 5, Mode: mode), default);
            if (mode == SearchMode.Vector) Assert.Equal(5, hits.Count);
            // The same text as a filter value is only a value too.
            Assert.Empty(await retriever.SearchAsync(new SearchRequest("leave", TestReaders.Staff, 5, new SearchFilter(query, query, query), mode), default));
        }
        Assert.Equal(before, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM chunks"));
        Assert.Equal(SmallCorpusFixture.Documents.Length, (int)await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM documents"));
    }

    [Fact]
    public async Task Searches_that_find_nothing_return_an_empty_list()
    {
        var retriever = Retriever();

        foreach (var mode in Enum.GetValues<SearchMode>())
            Assert.Empty(await retriever.SearchAsync(new SearchRequest("leave", TestReaders.Staff, 5, new SearchFilter(Bucket: "no-such-bucket"), mode), default));
        // Only stop words: no text query at all; hybrid still answers from the vector list.
        Assert.Empty(await retriever.SearchAsync(new SearchRequest("the of and", TestReaders.Staff, 5, Mode: SearchMode.Text), default));
        Assert.Equal(5, (await retriever.SearchAsync(new SearchRequest("the of and", TestReaders.Staff, 5), default)).Count);
        Assert.Empty(await retriever.SearchAsync(new SearchRequest("zyxwvut", TestReaders.Staff, 5, Mode: SearchMode.Text), default));

        await using var empty = await TestDatabase.CreateAsync();
        foreach (var mode in Enum.GetValues<SearchMode>())
            Assert.Empty(await ChunkSeeder.Retriever(empty, fixture.Embedder).SearchAsync(new SearchRequest("leave", TestReaders.Staff, 5, Mode: mode), default));
    }

    [Fact]
    public async Task The_query_is_embedded_once_per_search_and_not_for_text_search()
    {
        var counting = new CountingEmbeddingGenerator(fixture.Embedder);
        var retriever = ChunkSeeder.Retriever(fixture.Database, counting);

        await retriever.SearchAsync(new SearchRequest("sick leave rules", TestReaders.Staff, 5), default);
        Assert.Equal(1, counting.Texts);
        await retriever.SearchAsync(new SearchRequest("sick leave rules", TestReaders.Staff, 5, Mode: SearchMode.Vector), default);
        Assert.Equal(2, counting.Texts);
        await retriever.SearchAsync(new SearchRequest("sick leave rules", TestReaders.Staff, 5, Mode: SearchMode.Text), default);
        Assert.Equal(2, counting.Texts);
    }

    [Fact]
    public async Task Index_settings_hold_for_the_search_only_and_do_not_leak_into_the_pool()
    {
        // One connection in the pool: the search and the check below must share it.
        var builder = new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(fixture.Database.ConnectionString) { MaxPoolSize = 1 }.ConnectionString);
        builder.UseVector();
        await using var single = builder.Build();
        var options = new RetrievalOptions { EfSearch = 123, IterativeScan = "strict_order", MaxScanTuples = 4567 };
        var retriever = ChunkSeeder.Retriever(single, fixture.Embedder, options);

        Assert.NotEmpty(await retriever.SearchAsync(new SearchRequest("sick leave", TestReaders.Staff, 3), default));

        await using var command = single.CreateCommand(
            "SELECT current_setting('hnsw.ef_search'), current_setting('hnsw.iterative_scan'), current_setting('hnsw.max_scan_tuples'), pg_backend_pid()");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(("40", "off", "20000"), (reader.GetString(0), reader.GetString(1), reader.GetString(2)));
    }

    /// <summary>
    /// With the app's automatic preparation (review of issue 16): once the search is a prepared statement on the server,
    /// its index settings still end with its transaction, and neither an index swap (what migration 11 and a generation
    /// build do) nor a new column (what a migration does) makes it fail with "cached plan must not change result type":
    /// its columns are named, and every execution is planned afresh.
    /// </summary>
    [Fact]
    public async Task A_search_prepared_on_the_server_survives_an_index_swap_and_a_new_column_and_leaks_no_settings()
    {
        var connection = new NpgsqlConnectionStringBuilder(fixture.Database.ConnectionString) { MaxPoolSize = 1 };
        Lode.Database.DataSourceSettings.Apply(connection, new Lode.Database.DatabaseOptions());
        var builder = new NpgsqlDataSourceBuilder(connection.ConnectionString);
        builder.UseVector();
        await using var single = builder.Build();
        var retriever = ChunkSeeder.Retriever(single, fixture.Embedder, new RetrievalOptions { EfSearch = 123 });
        var request = new SearchRequest("sick leave certificate", TestReaders.Staff, 3);
        async Task<List<Guid>> SearchAsync() => (await retriever.SearchAsync(request, default)).Select(c => c.ChunkId).ToList();

        var expected = await SearchAsync();
        for (var i = 0; i < 5; i++) Assert.Equal(expected, await SearchAsync());
        Assert.True(await ScalarAsync<long>(single, "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%vector_hits%'") > 0,
            "the search is prepared on the server");

        try
        {
            await fixture.Database.ExecuteAsync(GenerationVectorIndex.DropSql(1, concurrently: false));
            await fixture.Database.ExecuteAsync(GenerationVectorIndex.CreateSql(1, TestDatabase.Dimensions, concurrently: false));
            Assert.Equal(expected, await SearchAsync());
            await fixture.Database.ExecuteAsync("ALTER TABLE chunks ADD COLUMN review_probe integer; ALTER TABLE documents ADD COLUMN review_probe integer");
            Assert.Equal(expected, await SearchAsync());
        }
        finally
        {
            await fixture.Database.ExecuteAsync("ALTER TABLE chunks DROP COLUMN IF EXISTS review_probe; ALTER TABLE documents DROP COLUMN IF EXISTS review_probe");
            await fixture.Database.ExecuteAsync(GenerationVectorIndex.CreateSql(1, TestDatabase.Dimensions, concurrently: false));
        }
        Assert.Equal("40", await ScalarAsync<string>(single, "SELECT current_setting('hnsw.ef_search')"));
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    [Theory]
    [InlineData("", 5)]
    [InlineData("   ", 5)]
    [InlineData("leave", 0)]
    [InlineData("leave", 51)]
    public async Task Bad_requests_are_refused_before_any_work(string query, int top)
    {
        var retriever = Retriever();
        await Assert.ThrowsAnyAsync<ArgumentException>(() => retriever.SearchAsync(new SearchRequest(query, TestReaders.Staff, top), default));
    }

    [Fact]
    public void Option_problems_name_their_keys()
    {
        var problems = OptionProblems(new RetrievalOptions
        {
            VectorCandidates = 0, TextCandidates = 5000, EfSearch = 1001, IterativeScan = "sometimes", MaxScanTuples = 0,
            TextSearchConfig = "english'; --", MaxTop = 0, RrfK = -1, MaxQueryChars = 0, TextWeight = double.NaN, ContextWeight = 101,
            RandomPageCost = 0, TextCandidateScan = 0,
        });

        foreach (var key in new[] { "VectorCandidates", "TextCandidates", "EfSearch", "IterativeScan", "MaxScanTuples", "TextSearchConfig", "MaxTop", "RrfK", "MaxQueryChars", "TextWeight", "ContextWeight", "RandomPageCost", "TextCandidateScan" })
            Assert.Contains(problems, p => p.StartsWith($"Retrieval:{key} ", StringComparison.Ordinal));
        Assert.Empty(OptionProblems(new RetrievalOptions()));
    }

    [Theory]
    [InlineData(1_000, 999, 2_000, "TextCandidateCap")] // a cap below the budget
    [InlineData(1_000, 1_000, 999, "TextCandidateScan")] // a scan below the cap: the cap could never fill
    public void The_text_list_bounds_must_nest(int budget, int cap, int scan, string key)
    {
        var problems = OptionProblems(new RetrievalOptions { TextCandidateBudget = budget, TextCandidateCap = cap, TextCandidateScan = scan });

        Assert.Contains(problems, p => p.StartsWith($"Retrieval:{key} ", StringComparison.Ordinal));
    }

    /// <summary>What start-up validation (ValidateDataAnnotations) says about <paramref name="options"/>.</summary>
    private static List<string> OptionProblems(RetrievalOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage!).ToList();
    }
}
