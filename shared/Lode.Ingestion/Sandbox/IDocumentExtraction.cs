using Lode.Ingestion.Extraction;

namespace Lode.Ingestion.Sandbox;

/// <summary>
/// Runs a chosen extractor on a document's bytes: in a sandboxed child (<see cref="SandboxedExtraction"/>, the
/// default) or in the app's own process (<see cref="InProcessExtraction"/>). Throws
/// <see cref="RejectedDocumentException"/> for a document that can never be extracted as it is.
/// </summary>
public interface IDocumentExtraction
{
    Task<ExtractedDocument> ExtractAsync(ITextExtractor extractor, Stream content, ExtractionLimits limits, CancellationToken cancellationToken);
}
