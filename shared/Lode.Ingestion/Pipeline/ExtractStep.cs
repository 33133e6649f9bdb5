using Lode.Ingestion.Extraction;
using Lode.Ingestion.Sandbox;
using Microsoft.Extensions.Options;

namespace Lode.Ingestion.Pipeline;

/// <summary>
/// Picks the extractor for the object's format and turns its bytes into page-numbered text, within limits — in a
/// sandboxed child process unless Ingestion:Sandbox:Enabled is false (<see cref="IDocumentExtraction"/>).
/// </summary>
public sealed class ExtractStep(ExtractorRegistry extractors, IDocumentExtraction extraction, IOptions<IngestionOptions> options) : IIngestStep
{
    private readonly IngestionOptions _options = options.Value;

    public string Name => IngestStepNames.Extract;

    public async Task RunAsync(IngestContext context, CancellationToken cancellationToken)
    {
        var fetched = IngestContext.Required(context.Fetched, "the fetched object");
        var extractor = extractors.GetExtractor(fetched.Info.Key, fetched.Info.ContentType);
        var limits = new ExtractionLimits(_options.MaxPages, _options.MaxDecompressedBytes, _options.MaxTextChars);
        context.Text = await extraction.ExtractAsync(extractor, fetched.Content, limits, cancellationToken);
    }
}
