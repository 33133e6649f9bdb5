using Lode.Ingestion.Extraction;
using Lode.Ingestion.Sandbox;
using Lode.Storage;
using Microsoft.Extensions.Options;

namespace Lode.Ingestion.Pipeline;

/// <summary>
/// Step 2: pick the extractor for the object's format and turn its bytes into page-numbered text, within limits — in a
/// sandboxed child process unless Ingestion:Sandbox:Enabled is false (<see cref="IDocumentExtraction"/>).
/// </summary>
public sealed class ExtractStep(ExtractorRegistry extractors, IDocumentExtraction extraction, IOptions<IngestionOptions> options)
{
    private readonly IngestionOptions _options = options.Value;

    public Task<ExtractedDocument> RunAsync(FetchedObject fetched, CancellationToken cancellationToken)
    {
        var extractor = extractors.GetExtractor(fetched.Info.Key, fetched.Info.ContentType);
        var limits = new ExtractionLimits(_options.MaxPages, _options.MaxDecompressedBytes, _options.MaxTextChars);
        return extraction.ExtractAsync(extractor, fetched.Content, limits, cancellationToken);
    }
}
