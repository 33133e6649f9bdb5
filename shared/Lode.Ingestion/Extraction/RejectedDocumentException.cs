namespace Lode.Ingestion.Extraction;

/// <summary>Why a document can never be indexed as it is. Retrying does not help; the document ends <c>failed</c>.</summary>
public enum RejectionReason
{
    UnsupportedFormat,
    Corrupt,
    Encrypted,
    TooLarge,
    TooManyPages,
    TimedOut,

    /// <summary>The structure nests deeper than <see cref="NestingLimit.MaxDepth"/> levels (or deeper than the parser allows).</summary>
    TooDeeplyNested,
}

/// <summary>
/// Thrown for a document that is permanently unprocessable (unknown format, corrupt or encrypted file, over a limit).
/// The queue marks such a document <c>failed</c> at once instead of retrying it.
/// </summary>
public sealed class RejectedDocumentException(RejectionReason reason, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public RejectionReason Reason { get; } = reason;
}
