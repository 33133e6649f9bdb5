namespace Lode.Database;

/// <summary>How a job ended, as reindex runs count it.</summary>
public enum JobOutcome
{
    /// <summary>Extracted, chunked, embedded and stored.</summary>
    Indexed,
    /// <summary>Unchanged since it was indexed (same etag and model): nothing downloaded.</summary>
    Skipped,
    /// <summary>Could not be indexed: rejected, or failed on its last attempt.</summary>
    Failed,
    /// <summary>The object no longer exists: its document was removed.</summary>
    Removed,
}
