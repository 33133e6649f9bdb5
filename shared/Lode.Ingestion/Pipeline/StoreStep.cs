using Lode.Database;

namespace Lode.Ingestion.Pipeline;

/// <summary>
/// Ends the job as indexed: the new version's chunks for every stale generation and the document's new state, which
/// the pipeline writes (within this step's span and time) in one fenced transaction that also completes the job.
/// </summary>
public sealed class StoreStep : IIngestStep
{
    public string Name => IngestStepNames.Store;

    public Task RunAsync(IngestContext context, CancellationToken cancellationToken)
    {
        var info = IngestContext.Required(context.Fetched, "the fetched object").Info;
        var text = IngestContext.Required(context.Text, "the extracted text");
        var embedded = IngestContext.Required(context.Embedded, "the embedded chunks");
        var document = new IndexedObject(info.Etag, info.Size, info.ContentType, text.PageCount, context.ReadGroups, text.Title, OcrFacts.Of(text));
        context.Finish(new JobOutcome.Indexed(document, embedded.Select(e => e.Chunks).ToList(), context.Considered));
        return Task.CompletedTask;
    }
}
