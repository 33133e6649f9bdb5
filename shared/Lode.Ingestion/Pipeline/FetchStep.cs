using Lode.Ingestion.Extraction;
using Lode.Storage;

namespace Lode.Ingestion.Pipeline;

/// <summary>Step 1: download the object the pipeline has just stat'ed. Null means it was deleted since.</summary>
public sealed class FetchStep(IObjectStore store)
{
    public async Task<FetchedObject?> RunAsync(ObjectInfo current, CancellationToken cancellationToken)
    {
        try
        {
            return await store.FetchAsync(current, cancellationToken);
        }
        catch (ObjectTooLargeException e)
        {
            throw new RejectedDocumentException(RejectionReason.TooLarge, e.Message, e);
        }
    }
}
