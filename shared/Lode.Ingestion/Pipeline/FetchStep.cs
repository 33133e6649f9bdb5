using Lode.Ingestion.Extraction;
using Lode.Storage;

namespace Lode.Ingestion.Pipeline;

/// <summary>Step 1: download the object as it is now. Null means it no longer exists.</summary>
public sealed class FetchStep(IObjectStore store)
{
    public async Task<FetchedObject?> RunAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        try
        {
            return await store.FetchAsync(bucket, key, cancellationToken);
        }
        catch (ObjectTooLargeException e)
        {
            throw new RejectedDocumentException(RejectionReason.TooLarge, e.Message, e);
        }
    }
}
