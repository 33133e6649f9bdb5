using System.Diagnostics;
using Lode.Access;
using Lode.Database;
using Lode.Database.Generations;
using Lode.Ingestion.Extraction;
using Lode.Ingestion.Generations;
using Lode.Storage;
using Microsoft.Extensions.Logging;

namespace Lode.Ingestion.Pipeline;

/// <summary>
/// Runs one job: decides from the object's current state whether there is anything to index, then runs the
/// registered <see cref="IIngestStep"/>s in order (fetch → extract → chunk → embed → store by default), each under its
/// own span and duration measurement, until one ends the job. It acts on the object's current state, never on what the
/// event said, so repeated, late or out-of-order notifications all converge on the bucket's truth. The object is
/// fetched and extracted once; every index generation that does not hold this version yet (all of them, forced) gets
/// it chunked and embedded with its own model, and all are written in one transaction. Every outcome it reaches is
/// written through <see cref="JobOutcomeRecorder"/>; a document that can never be indexed is rejected by
/// <see cref="JobOutcomeDecision"/>; other failures propagate to the worker, which asks the same decision.
/// </summary>
public sealed class IngestPipeline(
    IObjectStore store,
    DocumentRepository documents,
    IndexGenerations generations,
    BuildCompletion builds,
    IEnumerable<IIngestStep> steps,
    JobOutcomeDecision decision,
    JobOutcomeRecorder outcomes,
    DocumentAccessResolver access,
    IngestMetrics metrics,
    ILogger<IngestPipeline> logger)
{
    private readonly IReadOnlyList<IIngestStep> _steps = steps.ToList();

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
        return outcome.Counted ?? throw new InvalidOperationException($"The pipeline cannot end a job with {outcome}.");
    }

    private async Task<JobOutcome> OutcomeAsync(IngestJob job, IReadOnlyList<IndexGeneration> retained, CancellationToken ct)
    {
        var current = await store.StatAsync(job.Bucket, job.Key, ct);
        if (current is null) return await WriteAsync(job, new JobOutcome.Deleted(), ct);

        // Decided afresh from the object's current metadata every time, so a metadata change (an object copied onto
        // itself with new groups) takes effect on its next event, with or without a content change.
        var readGroups = access.GroupsFor(job.Bucket, job.Key, current.UserMetadata);
        // A generation holds a version only once indexed successfully (a failure removes the document from all), so
        // "unchanged" is: every generation holds this etag.
        var held = await documents.GenerationEtagsAsync(job.Bucket, job.Key, ct);
        var stale = retained.Where(g => job.Force || held.GetValueOrDefault(g.Id) != current.Etag).ToList();
        await using var context = new IngestContext(job, current, readGroups, retained, stale);
        if (stale.Count == 0) return await WriteAsync(job, new JobOutcome.Unchanged(readGroups, context.Considered), ct);

        try
        {
            return await RunStepsAsync(context, ct);
        }
        catch (RejectedDocumentException e)
        {
            return await WriteAsync(job, decision.Rejected(context, e), ct);
        }
    }

    private async Task<JobOutcome> RunStepsAsync(IngestContext context, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var timings = new List<string>(_steps.Count);
        foreach (var step in _steps)
        {
            using var span = IngestTracing.StartStep(step.Name);
            var since = Stopwatch.GetTimestamp();
            try
            {
                await step.RunAsync(context, ct);
                // The step that ends the job has its outcome written within its own span and time (the store step's
                // transaction is the index write).
                if (context.Outcome is { } ending) await WriteAsync(context.Job, ending, ct);
            }
            catch
            {
                span?.SetStatus(ActivityStatusCode.Error, "The step did not complete.");
                throw;
            }
            timings.Add($"{step.Name} {(long)metrics.StepDone(step.Name, ref since).TotalMilliseconds} ms");
            if (context.Outcome is not null) break;
        }

        var outcome = context.Outcome ?? throw new InvalidOperationException("No ingest step ended the job: the last registered step must.");
        if (outcome is JobOutcome.Indexed indexed) Report(context, indexed, started, timings);
        return outcome;
    }

    private void Report(IngestContext context, JobOutcome.Indexed indexed, long started, List<string> timings)
    {
        var embedded = IngestContext.Required(context.Embedded, "the embedded chunks");
        var chunks = embedded.Sum(e => e.Chunks.Chunks.Count);
        metrics.Stored(chunks, embedded.Sum(e => e.Embedded));
        logger.LogInformation(
            "Indexed {Bucket}/{Key}: {Pages} pages, {Chunks} chunks ({Reused} vectors reused) for index generations {Generations} " +
            "in {Elapsed} ms ({Steps})",
            context.Job.Bucket, context.Job.Key, indexed.Document.Pages, chunks, embedded.Sum(e => e.Reused),
            string.Join(", ", context.Stale.Select(g => g.Id)),
            (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, string.Join(", ", timings));
    }

    private async Task<JobOutcome> WriteAsync(IngestJob job, JobOutcome outcome, CancellationToken ct)
    {
        await outcomes.WriteAsync(job, outcome, ct);
        return outcome;
    }
}
