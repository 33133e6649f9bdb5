namespace Lode.Ingestion.Pipeline;

/// <summary>What happened to a document when its job ran.</summary>
public enum IngestOutcome
{
    /// <summary>Extracted, chunked, embedded and stored.</summary>
    Indexed,
    /// <summary>Same etag as already indexed: nothing downloaded.</summary>
    Unchanged,
    /// <summary>The object is gone: document and chunks removed.</summary>
    Deleted,
    /// <summary>The object can never be indexed as it is (format, corruption, limits).</summary>
    Rejected,
}
