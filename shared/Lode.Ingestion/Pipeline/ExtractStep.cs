using Lode.Ingestion.Extraction;
using Lode.Storage;
using Microsoft.Extensions.Options;

namespace Lode.Ingestion.Pipeline;

/// <summary>Step 2: pick the extractor for the object's format and turn its bytes into page-numbered text, within limits.</summary>
public sealed class ExtractStep(ExtractorRegistry extractors, IOptions<IngestionOptions> options)
{
    private readonly IngestionOptions _options = options.Value;

    public async Task<ExtractedDocument> RunAsync(FetchedObject fetched, CancellationToken cancellationToken)
    {
        var extractor = extractors.GetExtractor(fetched.Info.Key, fetched.Info.ContentType);
        var limits = new ExtractionLimits(_options.MaxPages, _options.MaxDecompressedBytes, _options.MaxTextChars);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.ExtractionTimeoutSeconds));
        try
        {
            // Extractors are synchronous CPU work: keep them off the caller's thread so a slow PDF never starves I/O.
            return await Task.Run(() => extractor.Extract(fetched.Content, limits, timeout.Token), timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RejectedDocumentException(RejectionReason.TimedOut,
                $"Extraction took longer than {_options.ExtractionTimeoutSeconds} s (Ingestion:ExtractionTimeoutSeconds).");
        }
    }
}
