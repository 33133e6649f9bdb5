namespace Lode.Ingestion.Extraction;

/// <summary>Plain text and log files: decoded (BOM, else UTF-8), whitespace normalised, one page.</summary>
public sealed class PlainTextExtractor : ITextExtractor
{
    public IReadOnlyCollection<string> Extensions { get; } = [".txt", ".text", ".log"];

    public IReadOnlyCollection<string> ContentTypes { get; } = ["text/plain"];

    public ExtractedDocument Extract(Stream content, ExtractionLimits limits, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var text = TextDecoder.Decode(content, limits);
        return ExtractedDocument.SinglePage(TextNormalizer.Normalize(text));
    }
}
