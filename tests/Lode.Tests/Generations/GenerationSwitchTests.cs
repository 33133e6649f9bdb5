using Lode.Database;
using Lode.Database.Generations;
using Lode.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lode.Tests.Generations;

/// <summary>
/// Index generations in a real database: what start-up does with the configured model, when a build becomes current,
/// switching back, dropping. Documents are written by the real <see cref="IndexWriter"/> (<see cref="WorkerStandIn"/>).
/// </summary>
public sealed class GenerationSwitchTests : IAsyncLifetime
{
    private const string Arctic = "snowflake-arctic-embed-xs";
    private const string Other = "another-model";

    private static readonly TestDocument[] Documents =
    [
        new("docs", "a.txt", ["the harbour opens at six", "ferries leave every hour"], TestReaders.Staff.ToArray()),
        new("docs", "b.txt", ["parking is free on sundays"], TestReaders.Staff.ToArray()),
        new("docs", "c.txt", ["the museum closes at five", "tickets cost ten euros", "children enter free"], TestReaders.Staff.ToArray()),
    ];

    private TestDatabase _db = null!;
    private GenerationSwitch _switch = null!;
    private GenerationVectorIndexes _indexes = null!;
    private IndexGenerations _generations = null!;
    private WorkerStandIn _worker = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _indexes = new GenerationVectorIndexes(_db.DataSource, NullLogger<GenerationVectorIndexes>.Instance);
        _switch = new GenerationSwitch(_db.DataSource, _indexes);
        _generations = new IndexGenerations(_db.DataSource);
        _worker = new WorkerStandIn(_db, new BagOfWordsEmbedder());
        await _worker.IndexAsync(Documents);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_fresh_index_gets_one_first_generation_and_keeps_it()
    {
        await _switch.EnsureFirstAsync(Other, 768, default);

        var generation = Assert.Single(await _generations.ListAsync(default));
        Assert.Equal((1, TestDatabase.Model, TestDatabase.Dimensions, GenerationState.Current),
            (generation.Id, generation.Model, generation.Dimensions, generation.State));
        Assert.Equal(TestDatabase.Model, await new IndexSettings(_db.DataSource).GetAsync(IndexSettings.EmbeddingModel, default));
        Assert.Equal(Documents.Length, await _db.ScalarAsync<long>("SELECT count(*) FROM document_generations WHERE generation = 1"));
    }

    [Fact]
    public async Task A_new_model_starts_one_build_that_queues_every_document_without_showing_it_pending()
    {
        Assert.Equal(ModelDecisionKind.AlreadyCurrent, (await _switch.ApplyConfiguredModelAsync(TestDatabase.Model, TestDatabase.Dimensions, default)).Kind);
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs"));

        var started = await _switch.ApplyConfiguredModelAsync(Arctic, 384, default);

        Assert.Equal((ModelDecisionKind.BuildStarted, 2, Arctic, GenerationState.Building, 3L),
            (started.Kind, started.Generation.Id, started.Generation.Model, started.Generation.State, started.Queued));
        Assert.Equal(3L, await _db.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs WHERE reason = $1", $"index generation 2 ({Arctic})"));
        Assert.Equal(3L, await _db.ScalarAsync<long>("SELECT count(*) FROM documents WHERE status = 'indexed'"));
        Assert.Equal(GenerationState.Current, (await _generations.CurrentAsync(default))!.State);
        Assert.Equal(1, (await _generations.CurrentAsync(default))!.Id);

        // Another instance starting with the same model joins the build; one with a third model waits for it.
        Assert.Equal(ModelDecisionKind.BuildUnderway, (await _switch.ApplyConfiguredModelAsync(Arctic, 384, default)).Kind);
        var waiting = await _switch.ApplyConfiguredModelAsync(Other, 768, default);
        Assert.Equal((ModelDecisionKind.OtherBuildUnderway, 2), (waiting.Kind, waiting.Generation.Id));
        Assert.Equal(2, (await _generations.ListAsync(default)).Count);
        Assert.Equal(3L, await _db.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs"));
    }

    [Fact]
    public async Task A_build_becomes_current_once_it_holds_every_document_at_its_version_and_its_index_is_built()
    {
        await _switch.ApplyConfiguredModelAsync(Arctic, 384, default);
        await _worker.IndexAsync(Documents[..2], generations: [2]);
        await _indexes.EnsureAsync(default);

        Assert.Null(await _switch.CompleteBuildIfDoneAsync(default));
        var building = (await _generations.ProgressAsync(default)).Single(p => p.Generation.Id == 2);
        Assert.Equal((3L, 2L, 1L, 3L), (building.Documents, building.Done, building.ToDo, building.Chunks));

        // The third document, but another version than the one the current generation holds: not done yet.
        await _db.ExecuteAsync("UPDATE document_generations SET etag = 'older' WHERE generation = 1 AND document_id = (SELECT id FROM documents WHERE key = 'c.txt')");
        await _worker.IndexAsync(Documents[2..], generations: [2]);
        Assert.Null(await _switch.CompleteBuildIfDoneAsync(default));

        await _worker.IndexAsync(Documents[2..], generations: [1, 2]);
        var current = await _switch.CompleteBuildIfDoneAsync(default);

        Assert.Equal((2, GenerationState.Current), (current!.Id, current.State));
        Assert.NotNull(current.CompletedAt);
        Assert.Equal(GenerationState.Previous, (await _generations.ListAsync(default)).Single(g => g.Id == 1).State);
        Assert.Equal(3L, await _db.ScalarAsync<long>("SELECT count(*) FROM documents WHERE embedding_model = $1", Arctic));
        Assert.Equal(6L, await _db.ScalarAsync<long>("SELECT sum(chunk_count) FROM documents"));
        Assert.Equal(Arctic, await new IndexSettings(_db.DataSource).GetAsync(IndexSettings.EmbeddingModel, default));
        Assert.All(await _generations.ProgressAsync(default), p => Assert.Equal((3L, 3L, 0L), (p.Documents, p.Done, p.ToDo)));
        Assert.Null(await _switch.CompleteBuildIfDoneAsync(default));
    }

    [Fact]
    public async Task A_complete_build_waits_for_its_vector_index()
    {
        await _switch.ApplyConfiguredModelAsync(Arctic, 384, default);
        await _worker.IndexAsync(Documents, generations: [2]);

        Assert.Null(await _switch.CompleteBuildIfDoneAsync(default));
        Assert.True(await _db.ScalarAsync<bool>("SELECT to_regclass($1) IS NULL", GenerationVectorIndex.Name(2)));

        await _indexes.EnsureAsync(default);

        Assert.Equal(2, (await _switch.CompleteBuildIfDoneAsync(default))?.Id);
    }

    [Fact]
    public async Task Switching_back_to_a_previous_generation_is_instant_and_queues_nothing()
    {
        await SwitchToArcticAsync();

        var back = await _switch.ApplyConfiguredModelAsync(TestDatabase.Model, TestDatabase.Dimensions, default);

        Assert.Equal((ModelDecisionKind.SwitchedBack, 1, GenerationState.Current), (back.Kind, back.Generation.Id, back.Generation.State));
        Assert.Equal(GenerationState.Previous, (await _generations.ListAsync(default)).Single(g => g.Id == 2).State);
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs"));
        Assert.Equal(3L, await _db.ScalarAsync<long>("SELECT count(*) FROM documents WHERE embedding_model = $1", TestDatabase.Model));
    }

    [Fact]
    public async Task Dropping_removes_a_previous_generation_with_its_chunks_rows_and_index_but_never_the_current_one()
    {
        await SwitchToArcticAsync();

        Assert.Equal(GenerationDropOutcome.IsCurrent, await _switch.DropAsync(2, default));
        Assert.Equal(GenerationDropOutcome.NotFound, await _switch.DropAsync(7, default));
        Assert.Equal(GenerationDropOutcome.Dropped, await _switch.DropAsync(1, default));

        Assert.Equal(2, Assert.Single(await _generations.ListAsync(default)).Id);
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM chunks WHERE generation = 1"));
        Assert.Equal(6L, await _db.ScalarAsync<long>("SELECT count(*) FROM chunks WHERE generation = 2"));
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM document_generations WHERE generation = 1"));
        Assert.True(await _db.ScalarAsync<bool>("SELECT to_regclass($1) IS NULL", GenerationVectorIndex.Name(1)));
        Assert.False(await _db.ScalarAsync<bool>("SELECT to_regclass($1) IS NULL", GenerationVectorIndex.Name(2)));
    }

    [Fact]
    public async Task Dropping_a_building_generation_abandons_the_build_and_a_job_embedded_for_it_writes_the_others()
    {
        await _switch.ApplyConfiguredModelAsync(Arctic, 384, default);
        await _indexes.EnsureAsync(default);

        Assert.Equal(GenerationDropOutcome.Dropped, await _switch.DropAsync(2, default));
        // A job that had embedded the document for both generations before the drop.
        var changed = Documents[0] with { Chunks = ["the harbour opens at seven"] };
        await _worker.IndexAsync([changed], generations: [1, 2]);

        Assert.Equal(TestDatabase.Model, Assert.Single(await _generations.ListAsync(default)).Model);
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM chunks WHERE generation = 2"));
        Assert.Equal(WorkerStandIn.EtagOf(changed), await _db.ScalarAsync<string>(
            "SELECT dg.etag FROM document_generations dg JOIN documents d ON d.id = dg.document_id WHERE d.key = 'a.txt' AND dg.generation = 1"));
        Assert.Equal(1, await _db.ScalarAsync<int>("SELECT chunk_count FROM documents WHERE key = 'a.txt'"));
    }

    [Fact]
    public async Task A_job_that_looked_before_a_build_began_is_looked_at_again_instead_of_completing_without_it()
    {
        // A new object's job decides what to write while only generation 1 exists; the build begins before it writes.
        var queue = new JobQueue(_db.DataSource);
        await queue.EnqueueAsync([new JobRequest("docs", "new.txt", "s3:ObjectCreated:Put")], default);
        var job = Assert.Single(await queue.LeaseAsync(10, TimeSpan.FromMinutes(5), "worker", default));
        await _switch.ApplyConfiguredModelAsync(Arctic, 384, default);
        var row = new ChunkRow(Guid.NewGuid(), 0, 1, 1, 3, "a new note", new byte[32], new BagOfWordsEmbedder().Embed("a new note"));

        await new IndexWriter(_db.DataSource).SaveIndexedAsync(job, new IndexedObject("etag-n", 10, "text/plain", 1, TestReaders.Staff.ToArray()),
            [new GenerationChunks(1, [row])], default, considered: [1]);

        // Written for generation 1, and queued again (no lease) so that the next look writes generation 2 too.
        Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.key = 'new.txt'"));
        Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs WHERE key = 'new.txt' AND lease_token IS NULL"));
        var again = Assert.Single(await queue.LeaseAsync(10, TimeSpan.FromMinutes(5), "worker", default), j => j.Key == "new.txt");
        await new IndexWriter(_db.DataSource).SaveIndexedAsync(again, new IndexedObject("etag-n", 10, "text/plain", 1, TestReaders.Staff.ToArray()),
            [new GenerationChunks(2, [row with { Id = Guid.NewGuid() }])], default, considered: [1, 2]);
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs WHERE key = 'new.txt'"));
    }

    private async Task SwitchToArcticAsync()
    {
        await _switch.ApplyConfiguredModelAsync(Arctic, 384, default);
        await _worker.IndexAsync(Documents, generations: [2]);
        await _indexes.EnsureAsync(default);
        Assert.Equal(2, (await _switch.CompleteBuildIfDoneAsync(default))?.Id);
    }
}
