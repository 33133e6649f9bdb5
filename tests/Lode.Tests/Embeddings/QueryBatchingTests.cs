using Lode.Embeddings;
using Microsoft.Extensions.AI;
using Lode.Tests.Support;

namespace Lode.Tests.Embeddings;

/// <summary>
/// The query batching front around the real MiniLM model. The first model run is held until the test has queued the
/// callers it wants in the next batch, so which queries share a run is decided by the test, not by timing.
/// </summary>
[Collection(MiniLmCollection.Name)]
public sealed class QueryBatchingTests(MiniLmFixture fixture)
{
    private static readonly string[] Questions =
    [
        "How do I reset my password?", "What is the retention period for audit logs?", "Who approves a new vendor?",
        "Where is the incident response plan?", "How many vacation days do I get?", "What does clause 7 say?",
        "Is remote work allowed abroad?", "How are backups encrypted?", "What is the expense limit for travel?",
        "When does the fiscal year end?", "Which documents need a second signature?", "How do I report a phishing email?",
    ];

    [Fact]
    public async Task Queries_sharing_a_run_get_the_same_vectors_as_queries_embedded_alone()
    {
        var held = new HeldEmbeddingGenerator(fixture.Generator);
        using var batching = new QueryBatchingEmbeddingGenerator(held, maxBatch: 32);

        var (first, queued) = await QueueBehindHeldRunAsync(batching, held, Questions);

        await first;
        var vectors = await Task.WhenAll(queued);
        Assert.Equal(2, batching.Batches);
        for (var i = 0; i < Questions.Length; i++)
        {
            var alone = await fixture.Generator.GenerateQueryEmbeddingAsync(Questions[i]);
            Assert.True(Vectors.MaxAbsDifference(alone.Vector.Span, vectors[i].Vector.Span) <= 1e-5, $"question {i} differs");
        }
    }

    [Fact]
    public async Task A_caller_that_cancels_does_not_fail_the_others_in_its_batch()
    {
        var held = new HeldEmbeddingGenerator(fixture.Generator);
        using var batching = new QueryBatchingEmbeddingGenerator(held, maxBatch: 32);
        using var leaving = new CancellationTokenSource();
        var first = batching.GenerateQueryEmbeddingAsync("first");
        await held.WaitUntilHeldAsync();

        var stays1 = batching.GenerateQueryEmbeddingAsync(Questions[0]);
        var leaves = batching.GenerateQueryEmbeddingAsync(Questions[1], leaving.Token);
        var stays2 = batching.GenerateQueryEmbeddingAsync(Questions[2]);
        await Eventually.WaitUntilAsync(() => Task.FromResult(batching.Queued == 3), "three queries queued");
        await leaving.CancelAsync();
        held.Release();

        await Task.WhenAll(first, stays1, stays2);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaves);
        Assert.Equal(2, batching.Batches);
    }

    [Fact]
    public async Task A_failed_run_fails_every_caller_in_its_batch_and_not_the_next_one()
    {
        var held = new HeldEmbeddingGenerator(fixture.Generator);
        using var batching = new QueryBatchingEmbeddingGenerator(held, maxBatch: 32);

        var (first, queued) = await QueueBehindHeldRunAsync(batching, held, [Questions[0], HeldEmbeddingGenerator.Explodes, Questions[1]]);

        await first;
        foreach (var caller in queued) await Assert.ThrowsAsync<InvalidOperationException>(() => caller);
        // The runner goes on: the next query is embedded.
        Assert.Equal(384, (await batching.GenerateQueryEmbeddingAsync(Questions[2])).Vector.Length);
    }

    [Fact]
    public async Task Documents_and_multi_text_calls_go_straight_to_the_model()
    {
        using var batching = new QueryBatchingEmbeddingGenerator(new HeldEmbeddingGenerator(fixture.Generator, held: false), maxBatch: 32);

        var documents = await batching.GenerateAsync(["one passage", "another passage"]);
        var queries = await batching.GenerateAsync(["q1", "q2"], new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Query));

        Assert.Equal(2, documents.Count);
        Assert.Equal(2, queries.Count);
        Assert.Equal(0, batching.Batches);
    }

    private static async Task<(Task<Embedding<float>> First, List<Task<Embedding<float>>> Queued)> QueueBehindHeldRunAsync(
        QueryBatchingEmbeddingGenerator batching, HeldEmbeddingGenerator held, IReadOnlyList<string> queries)
    {
        var first = batching.GenerateQueryEmbeddingAsync("first");
        await held.WaitUntilHeldAsync();
        var queued = queries.Select(q => batching.GenerateQueryEmbeddingAsync(q)).ToList();
        await Eventually.WaitUntilAsync(() => Task.FromResult(batching.Queued == queries.Count), $"{queries.Count} queries queued");
        held.Release();
        return (first, queued);
    }

    /// <summary>The real model, whose first run waits until released; a run that holds <see cref="Explodes"/> fails.</summary>
    private sealed class HeldEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, bool held = true)
        : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public const string Explodes = "this query fails its batch";
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _runs;

        public Task WaitUntilHeldAsync() => _entered.Task.WaitAsync(TimeSpan.FromSeconds(60));

        public void Release() => _released.TrySetResult();

        public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var texts = values.ToList();
            if (held && Interlocked.Increment(ref _runs) == 1)
            {
                _entered.TrySetResult();
                await _released.Task.WaitAsync(cancellationToken);
            }
            if (texts.Contains(Explodes)) throw new InvalidOperationException("the model run failed");
            return await base.GenerateAsync(texts, options, cancellationToken);
        }

        // The fixture owns the model.
        protected override void Dispose(bool disposing)
        {
        }
    }
}
