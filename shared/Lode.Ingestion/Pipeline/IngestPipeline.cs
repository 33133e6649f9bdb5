using System.Diagnostics;
using Lode.Database;
using Lode.Ingestion.Extraction;
using Lode.Security;
using Lode.Storage;
using Microsoft.Extensions.Logging;

namespace Lode.Ingestion.Pipeline;

/// <summary>
/// Runs one job through fetch → extract → chunk → embed → store. It acts on the object's current state, never on what
/// the event said, so repeated, late or out-of-order notifications all converge on the bucket's truth.
/// </summary>
public sealed class IngestPipeline(
    IObjectStore store,
    DocumentRepository documents,
    FetchStep fetch,
    ExtractStep extract,
    ChunkStep chunk,
    EmbedStep embed,
    IndexWriter writer,
    DocumentAccessResolver access,
    IngestMetrics metrics,
    ILogger<IngestPipeline> logger)
{
    public async Task<IngestOutcome> ProcessAsync(IngestJob job, CancellationToken ct)
    {
        using var span = IngestTracing.StartJob(job);
        try
        {
            var outcome = await DecideAndRunAsync(job, ct);
            metrics.Finished(outcome);
            IngestTracing.Finished(span, outcome);
            return outcome;
        }
        catch (Exception e)
        {
            IngestTracing.Failed(span, e);
            throw;
        }
    }

    private async Task<IngestOutcome> DecideAndRunAsync(IngestJob job, CancellationToken ct)
    {
        var current = await store.StatAsync(job.Bucket, job.Key, ct);
        if (current is null)
        {
            await writer.SaveDeletedAsync(job, ct);
            return IngestOutcome.Deleted;
        }

        // Decided afresh from the object's current metadata every time, so a metadata change (an object copied onto
        // itself with new groups) takes effect on its next event, with or without a content change.
        var readGroups = access.GroupsFor(job.Bucket, job.Key, current.UserMetadata);
        var known = await documents.GetAsync(job.Bucket, job.Key, ct);
        // IndexedAt is set only by a successful indexing (a failure clears it), so this is "indexed at this etag".
        if (!job.Force && known is { IndexedAt: not null } && known.Etag == current.Etag && known.EmbeddingModel == embed.ModelName)
        {
            await writer.SaveUnchangedAsync(job, readGroups, ct);
            return IngestOutcome.Unchanged;
        }

        try
        {
            return await IndexAsync(job, current, readGroups, ct);
        }
        catch (RejectedDocumentException e)
        {
            await writer.SaveFailedAsync(job, $"{e.Reason}: {e.Message}", current.Etag, readGroups, ct);
            logger.LogWarning("Rejected {Bucket}/{Key}: {Reason}: {Message}", job.Bucket, job.Key, e.Reason, e.Message);
            return IngestOutcome.Rejected;
        }
    }

    private async Task<IngestOutcome> IndexAsync(IngestJob job, ObjectInfo current, string[] readGroups, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var steps = new IngestSteps(metrics);
        steps.Begin(IngestStepNames.Fetch);
        await using var fetched = await fetch.RunAsync(current, ct);
        if (fetched is null)
        {
            steps.End();
            await writer.SaveDeletedAsync(job, ct);
            return IngestOutcome.Deleted;
        }
        var fetchTime = steps.End();

        steps.Begin(IngestStepNames.Extract);
        var text = await extract.RunAsync(fetched, ct);
        var extractTime = steps.End();
        steps.Begin(IngestStepNames.Chunk);
        var chunks = chunk.Run(text);
        var chunkTime = steps.End();
        steps.Begin(IngestStepNames.Embed);
        var embedded = await embed.RunAsync(job.Bucket, job.Key, chunks, ct);
        var embedTime = steps.End();
        steps.Begin(IngestStepNames.Store);
        var info = fetched.Info;
        await writer.SaveIndexedAsync(job,
            new IndexedObject(info.Etag, info.Size, info.ContentType, text.PageCount, embed.ModelName, readGroups, text.Title), embedded.Rows, ct);
        var storeTime = steps.End();
        metrics.Stored(embedded.Rows.Count, embedded.Embedded);

        logger.LogInformation(
            "Indexed {Bucket}/{Key}: {Pages} pages, {Chunks} chunks ({Reused} vectors reused) in {Elapsed} ms " +
            "(fetch {Fetch} ms, extract {Extract} ms, chunk {Chunk} ms, embed {Embed} ms, store {Store} ms)",
            job.Bucket, job.Key, text.PageCount, chunks.Count, embedded.Reused,
            (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, (long)fetchTime.TotalMilliseconds,
            (long)extractTime.TotalMilliseconds, (long)chunkTime.TotalMilliseconds, (long)embedTime.TotalMilliseconds,
            (long)storeTime.TotalMilliseconds);
        return IngestOutcome.Indexed;
    }
}
