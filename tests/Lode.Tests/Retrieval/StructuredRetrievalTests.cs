using Lode.Embeddings;
using Lode.Retrieval;
using Lode.Tests.Support;

namespace Lode.Tests.Retrieval;

/// <summary>
/// A manual stored three times (twice readable by staff, once by hr only), with a table of contents, and a second
/// manual; real MiniLM vectors. What structure adds to a search: heading paths and titles come back, navigation chunks
/// only when asked for, and a passage stored in several places is one result that names the other places its reader
/// may read.
/// </summary>
public sealed class StructuredCorpusFixture : IAsyncLifetime
{
    public const string Installing =
        "To install the package, run the installer as root and answer the questions about the disk layout. The installer writes its log to /var/log/installer.";

    public const string Upgrading =
        "Upgrading keeps your settings: the package manager replaces the program files and leaves the configuration files you changed in place.";

    public const string Contents = "Contents\nInstalling the package 3\nUpgrading the package 5\nRemoving the package 7\nReporting problems 9\nIndex 11";

    /// <summary>Two different printable texts with the same MD5 (Marc Stevens' text collision).</summary>
    public static readonly string[] Md5Collision =
    [
        "TEXTCOLLBYfGiJUETHQ4hAcKSMd5zYpgqf1YRDhkmxHkhPWptrkoyz28wnI9V0aHeAuaKnak",
        "TEXTCOLLBYfGiJUETHQ4hEcKSMd5zYpgqf1YRDhkmxHkhPWptrkoyz28wnI9V0aHeAuaKnak",
    ];

    public TestDatabase Database { get; private set; } = null!;
    public OnnxSentenceEmbeddingGenerator Embedder { get; } = new(new EmbeddingOptions { BatchSize = 8 });

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        await AddAsync("manual/guide.pdf", TestReaders.Staff);
        await AddAsync("copies/guide.pdf", TestReaders.Staff);
        await AddAsync("hr-only/guide.pdf", ["hr"]);
        var other = await ChunkSeeder.AddDocumentAsync(Database, "docs", "other/notes.md", "text/markdown", title: "Notes");
        var vector = (await Embedder.GenerateAsync(["The canteen serves lunch from noon; the coffee machine is cleaned on Fridays."]))[0].Vector.ToArray();
        await ChunkSeeder.AddChunksAsync(Database, [(other, new SeedChunk(1, 1, "The canteen serves lunch from noon; the coffee machine is cleaned on Fridays.", vector, ["Canteen"]))]);
        foreach (var (text, i) in Md5Collision.Select((t, i) => (t, i)))
        {
            var id = await ChunkSeeder.AddDocumentAsync(Database, "docs", $"collision/{i}.txt", "text/plain");
            await ChunkSeeder.AddChunksAsync(Database, [(id, new SeedChunk(1, 1, text, (await Embedder.GenerateAsync([text]))[0].Vector.ToArray()))]);
        }
        await ChunkSeeder.AnalyzeAsync(Database);
    }

    private async Task AddAsync(string key, IReadOnlyList<string> groups)
    {
        var id = await ChunkSeeder.AddDocumentAsync(Database, "docs", key, "application/pdf", readGroups: groups, title: "Package Guide");
        var vectors = await Embedder.GenerateAsync([Contents, Installing, Upgrading]);
        await ChunkSeeder.AddChunksAsync(Database,
        [
            (id, new SeedChunk(2, 2, Contents, vectors[0].Vector.ToArray(), Navigation: true)),
            (id, new SeedChunk(3, 3, Installing, vectors[1].Vector.ToArray(), ["Getting started", "Installing the package"])),
            (id, new SeedChunk(5, 5, Upgrading, vectors[2].Vector.ToArray(), ["Getting started", "Upgrading the package"])),
        ]);
    }

    public async Task DisposeAsync()
    {
        Embedder.Dispose();
        await Database.DisposeAsync();
    }
}

public sealed class StructuredRetrievalTests(StructuredCorpusFixture fixture) : IClassFixture<StructuredCorpusFixture>
{
    private Task<IReadOnlyList<RetrievedChunk>> SearchAsync(string query, IReadOnlyCollection<string> groups, int top = 5,
        SearchMode mode = SearchMode.Hybrid, bool includeNavigation = false) =>
        ChunkSeeder.Retriever(fixture.Database, fixture.Embedder)
            .SearchAsync(new SearchRequest(query, groups, top, Mode: mode, IncludeNavigation: includeNavigation), default);

    [Theory]
    [InlineData(SearchMode.Hybrid)]
    [InlineData(SearchMode.Vector)]
    [InlineData(SearchMode.Text)]
    public async Task A_passage_stored_three_times_is_one_result_listing_only_the_copies_the_caller_may_read(SearchMode mode)
    {
        var results = await SearchAsync("how do I install the package as root", TestReaders.Staff, mode: mode);

        var first = results[0];
        Assert.Equal(StructuredCorpusFixture.Installing, first.Text);
        Assert.Single(results, r => r.Text == StructuredCorpusFixture.Installing);
        var other = Assert.Single(first.AlsoIn);
        Assert.Equal(first.Key == "manual/guide.pdf" ? "copies/guide.pdf" : "manual/guide.pdf", other.Key);
        Assert.Equal((3, 3), (other.Page, other.PageEnd));

        var withHr = await SearchAsync("how do I install the package as root", [TestReaders.Group, "hr"], mode: mode);
        Assert.Equal(2, withHr[0].AlsoIn.Count);
        Assert.Contains(withHr[0].AlsoIn.Append(new ChunkLocation(withHr[0].Bucket, withHr[0].Key, 3, 3)), l => l.Key == "hr-only/guide.pdf");
    }

    [Fact]
    public async Task Two_different_passages_with_the_same_md5_are_two_results()
    {
        // A document crafted to collide with another passage's MD5 must not make that passage disappear.
        var results = await SearchAsync(StructuredCorpusFixture.Md5Collision[0], TestReaders.Staff, top: 10, mode: SearchMode.Vector);

        Assert.All(StructuredCorpusFixture.Md5Collision, text => Assert.Single(results, r => r.Text == text));
        Assert.All(results.Where(r => r.Key.StartsWith("collision/", StringComparison.Ordinal)), r => Assert.Empty(r.AlsoIn));
    }

    [Fact]
    public async Task The_top_is_filled_with_distinct_passages()
    {
        var results = await SearchAsync("installing and upgrading the package", TestReaders.Staff, top: 3);

        Assert.Equal(3, results.Count);
        Assert.Equal(3, results.Select(r => r.Text).Distinct().Count());
    }

    [Fact]
    public async Task Results_carry_their_heading_path_and_document_title()
    {
        var results = await SearchAsync("will my changed configuration files survive an upgrade", TestReaders.Staff);

        var first = results[0];
        Assert.Equal(StructuredCorpusFixture.Upgrading, first.Text);
        Assert.Equal(["Getting started", "Upgrading the package"], first.HeadingPath);
        Assert.Equal("Package Guide", first.Title);
        Assert.False(first.IsNavigation);
    }

    [Theory]
    [InlineData(SearchMode.Hybrid)]
    [InlineData(SearchMode.Vector)]
    [InlineData(SearchMode.Text)]
    public async Task A_table_of_contents_is_returned_only_when_asked_for(SearchMode mode)
    {
        const string query = "contents: installing, upgrading, removing the package, reporting problems, index";

        var plain = await SearchAsync(query, TestReaders.Staff, top: 10, mode: mode);
        var asked = await SearchAsync(query, TestReaders.Staff, top: 10, mode: mode, includeNavigation: true);

        Assert.DoesNotContain(plain, r => r.IsNavigation || r.Text == StructuredCorpusFixture.Contents);
        var contents = Assert.Single(asked, r => r.Text == StructuredCorpusFixture.Contents);
        Assert.True(contents.IsNavigation);
        // Its copy in the other manual staff may read, not the one only hr may.
        Assert.Equal(contents.Key == "manual/guide.pdf" ? "copies/guide.pdf" : "manual/guide.pdf", Assert.Single(contents.AlsoIn).Key);
    }
}
