namespace Lode.Ingestion.Extraction;

/// <summary>Limits that bound the work one document may cause (PDF bombs, zip bombs, huge files).</summary>
public sealed record ExtractionLimits(int MaxPages, long MaxDecompressedBytes, long MaxTextChars)
{
    public static ExtractionLimits Default { get; } = new(MaxPages: 5_000, MaxDecompressedBytes: 512L << 20, MaxTextChars: 50_000_000);
}

/// <summary>Turns the bytes of one format into page-numbered text.</summary>
public interface ITextExtractor
{
    /// <summary>Lower-case file extensions (with dot) this extractor reads, e.g. ".pdf".</summary>
    IReadOnlyCollection<string> Extensions { get; }

    /// <summary>MIME types this extractor reads, e.g. "application/pdf".</summary>
    IReadOnlyCollection<string> ContentTypes { get; }

    /// <summary>Extracts the text. The stream is seekable and positioned at 0. Throws <see cref="RejectedDocumentException"/> for unreadable input.</summary>
    ExtractedDocument Extract(Stream content, ExtractionLimits limits, CancellationToken cancellationToken);
}
