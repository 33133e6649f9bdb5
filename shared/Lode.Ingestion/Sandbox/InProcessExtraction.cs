using Lode.Ingestion.Extraction;
using Microsoft.Extensions.Options;

namespace Lode.Ingestion.Sandbox;

/// <summary>
/// Extraction in the app's own process (Ingestion:Sandbox:Enabled=false). The timeout can only be observed by
/// extractors that check their token; code that never does (a parser deep in a hostile file) keeps running after it.
/// </summary>
public sealed class InProcessExtraction(IOptions<IngestionOptions> options) : IDocumentExtraction
{
    private readonly IngestionOptions _options = options.Value;

    public async Task<ExtractedDocument> ExtractAsync(ITextExtractor extractor, Stream content, ExtractionLimits limits,
        CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.ExtractionTimeoutSeconds));
        try
        {
            // Extractors are synchronous CPU work: keep them off the caller's thread so a slow PDF never starves I/O.
            return await Task.Run(() => extractor.Extract(content, limits, timeout.Token), timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RejectedDocumentException(RejectionReason.TimedOut,
                $"Extraction took longer than {_options.ExtractionTimeoutSeconds} s (Ingestion:ExtractionTimeoutSeconds).");
        }
    }
}
