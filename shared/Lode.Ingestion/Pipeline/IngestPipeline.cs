using System.Diagnostics;
using Lode.Database;
using Lode.Database.Generations;
using Lode.Ingestion.Extraction;
using Lode.Ingestion.Generations;
using Lode.Access;
using Lode.Storage;
using Microsoft.Extensions.Logging;

namespace Lode.Ingestion.Pipeline;

/// <summary>
/// Runs one job through fetch → extract → chunk → embed → store. It acts on the object's current state, never on what
/// the event said, so repeated, late or out-of-order notifications all converge on the bucket's truth. The object is
/// fetched and extracted once; every index generation that does not hold this version yet (all of them, forced) gets
/// it chunked and embedded with its own model, and all are written in one transaction.
/// </summary>
public sealed class IngestPipeline(
    IObjectStore store,
    DocumentRepository documents,
    IndexGenerations generations,
    BuildCompletion builds,
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
        var retained = await generations.ListAsync(ct);
        var outcome = await OutcomeAsync(job, retained, ct);
        // This job may have been the last one a build waited for (an outcome removing a document counts too).
        if (retained.Any(g => g.IsBuilding)) await builds.TryCompleteAsync(ct);
        return outcome;
    }

    private async Task<IngestOutcome> OutcomeAsync(IngestJob job, IReadOnlyList<IndexGeneration> retained, CancellationToken ct)
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
        // A generation holds a version only once indexed successfully (a failure removes the document from all), so
        // "unchanged" is: every generation holds this etag.
        var held = await documents.GenerationEtagsAsync(job.Bucket, job.Key, ct);
        var stale = retained.Where(g => job.Force || held.GetValueOrDefault(g.Id) != current.Etag).ToList();
        if (stale.Count == 0)
        {
            await writer.SaveUnchangedAsync(job, readGroups, ct, considered: retained.Select(g => g.Id).ToList());
            return IngestOutcome.Unchanged;
        }

        try
        {
            return await IndexAsync(job, current, readGroups, retained, stale, ct);
        }
        catch (RejectedDocumentException e)
        {
            await writer.SaveFailedAsync(job, $"{e.Reason}: {e.Message}", current.Etag, readGroups, ct);
            logger.LogWarning("Rejected {Bucket}/{Key}: {Reason}: {Message}", job.Bucket, job.Key, e.Reason, e.Message);
            return IngestOutcome.Rejected;
        }
    }

    private async Task<IngestOutcome> IndexAsync(IngestJob job, ObjectInfo current, string[] readGroups,
        IReadOnlyList<IndexGeneration> retained, IReadOnlyList<IndexGeneration> stale, CancellationToken ct)
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
        var chunked = stale.Select(g => (Generation: g, Chunks: chunk.Run(text, g.Model, ct))).ToList();
        var chunkTime = steps.End();
        steps.Begin(IngestStepNames.Embed);
        var embedded = new List<EmbeddedChunks>(chunked.Count);
        foreach (var (generation, chunks) in chunked) embedded.Add(await embed.RunAsync(generation, job.Bucket, job.Key, chunks, ct));
        var embedTime = steps.End();
        steps.Begin(IngestStepNames.Store);
        var info = fetched.Info;
        await writer.SaveIndexedAsync(job, new IndexedObject(info.Etag, info.Size, info.ContentType, text.PageCount, readGroups, text.Title, OcrFacts.Of(text)),
            embedded.Select(e => e.Chunks).ToList(), ct, considered: retained.Select(g => g.Id).ToList());
        var storeTime = steps.End();
        metrics.Stored(embedded.Sum(e => e.Chunks.Chunks.Count), embedded.Sum(e => e.Embedded));

        logger.LogInformation(
            "Indexed {Bucket}/{Key}: {Pages} pages, {Chunks} chunks ({Reused} vectors reused) for index generations {Generations} " +
            "in {Elapsed} ms (fetch {Fetch} ms, extract {Extract} ms, chunk {Chunk} ms, embed {Embed} ms, store {Store} ms)",
            job.Bucket, job.Key, text.PageCount, embedded.Sum(e => e.Chunks.Chunks.Count), embedded.Sum(e => e.Reused),
            string.Join(", ", stale.Select(g => g.Id)),
            (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, (long)fetchTime.TotalMilliseconds,
            (long)extractTime.TotalMilliseconds, (long)chunkTime.TotalMilliseconds, (long)embedTime.TotalMilliseconds,
            (long)storeTime.TotalMilliseconds);
        return IngestOutcome.Indexed;
    }
}
