using Lode.Ingestion.Extraction;
using Lode.Storage;

namespace Lode.Ingestion.Pipeline;

/// <summary>Downloads the object the pipeline has just stat'ed; if it was deleted since, the job ends as deleted.</summary>
public sealed class FetchStep(IObjectStore store) : IIngestStep
{
    public string Name => IngestStepNames.Fetch;

    public async Task RunAsync(IngestContext context, CancellationToken cancellationToken)
    {
        try
        {
            context.Fetched = await store.FetchAsync(context.Current, cancellationToken);
        }
        catch (ObjectTooLargeException e)
        {
            throw new RejectedDocumentException(RejectionReason.TooLarge, e.Message, e);
        }
        if (context.Fetched is null) context.Finish(new JobOutcome.Deleted());
    }
}
