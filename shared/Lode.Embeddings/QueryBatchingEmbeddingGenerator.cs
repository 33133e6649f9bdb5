using System.Threading.Channels;
using Microsoft.Extensions.AI;

namespace Lode.Embeddings;

/// <summary>
/// Batches concurrent query embeddings into one model run. Questions arriving at once (chat, search) each embed one
/// short text; run one by one they pay the model's per-call cost each and queue for the cores. Here every lone query
/// goes to one runner, which takes whatever is queued (up to <see cref="EmbeddingOptions.QueryBatchSize"/>), embeds it
/// in one call and hands each caller its vector — no timer: an idle runner embeds a lone query at once.
/// <para>
/// Only calls that are exactly one query with no other option are batched (what
/// <see cref="EmbeddingInputKindExtensions.GenerateQueryEmbeddingAsync"/> sends); anything else — documents, several
/// texts, other options — goes straight to the inner generator. A caller that cancels leaves; the others are embedded.
/// A failed batch fails every caller in it.
/// </para>
/// </summary>
public sealed class QueryBatchingEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private sealed record Pending(string Query, TaskCompletionSource<Embedding<float>> Result, CancellationToken Abandoned);

    private static readonly EmbeddingGenerationOptions QueryOptions = new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Query);

    // Not SingleReader: the single-reader channel cannot count what is queued (Queued).
    private readonly Channel<Pending> _queued = Channel.CreateUnbounded<Pending>();
    private readonly int _maxBatch;
    private readonly bool _ownsInner;
    private readonly Task _runner;
    private long _batches;

    /// <param name="inner">The model's generator; it must accept <paramref name="maxBatch"/> texts in one call.</param>
    /// <param name="maxBatch">Most queries in one model run.</param>
    /// <param name="ownsInner">Dispose <paramref name="inner"/> with this (false when a container owns it).</param>
    public QueryBatchingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, int maxBatch, bool ownsInner = false)
        : base(inner)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _maxBatch = maxBatch;
        _ownsInner = ownsInner;
        _runner = Task.Run(RunAsync);
    }

    /// <summary>Model runs made for batched queries so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Queries waiting for the runner.</summary>
    public int Queued => _queued.Reader.Count;

    public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        return IsLoneQuery(values, options) is { } query
            ? EmbedInBatchAsync(query, cancellationToken)
            : base.GenerateAsync(values, options, cancellationToken);
    }

    private static string? IsLoneQuery(IEnumerable<string> values, EmbeddingGenerationOptions? options)
    {
        if (options is null || options.Dimensions is not null || options.ModelId is not null
            || options.AdditionalProperties is not { Count: 1 } || options.GetInputKind() != EmbeddingInputKind.Query)
        {
            return null;
        }
        return values is IReadOnlyList<string> { Count: 1 } list && list[0] is { } query ? query : null;
    }

    private async Task<GeneratedEmbeddings<Embedding<float>>> EmbedInBatchAsync(string query, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new Pending(query, new TaskCompletionSource<Embedding<float>>(TaskCreationOptions.RunContinuationsAsynchronously), cancellationToken);
        if (!_queued.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(QueryBatchingEmbeddingGenerator));
        var embedding = await pending.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new GeneratedEmbeddings<Embedding<float>>([embedding]);
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(_maxBatch);
        while (await _queued.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < _maxBatch && _queued.Reader.TryRead(out var next))
            {
                // Whoever has gone costs the others nothing.
                if (next.Abandoned.IsCancellationRequested) next.Result.TrySetCanceled(next.Abandoned);
                else batch.Add(next);
            }
            if (batch.Count > 0) await EmbedAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task EmbedAsync(List<Pending> batch)
    {
        try
        {
            // Not a caller's token: one caller leaving must not cancel the others' run.
            var embeddings = await InnerGenerator.GenerateAsync(batch.Select(p => p.Query).ToList(), QueryOptions).ConfigureAwait(false);
            if (embeddings.Count != batch.Count)
                throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} embeddings for {batch.Count} queries.");
            Interlocked.Increment(ref _batches);
            for (var i = 0; i < batch.Count; i++) batch[i].Result.TrySetResult(embeddings[i]);
        }
        catch (Exception e)
        {
            foreach (var pending in batch) pending.Result.TrySetException(e);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        // Queries already queued are still embedded (the inner generator is disposed only afterwards); bounded, so a
        // model run that never returns cannot hold up shutdown.
        if (_queued.Writer.TryComplete()) _runner.Wait(TimeSpan.FromSeconds(30));
        if (_ownsInner) base.Dispose(disposing);
    }
}
