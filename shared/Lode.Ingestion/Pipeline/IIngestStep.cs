namespace Lode.Ingestion.Pipeline;

/// <summary>
/// One named step of indexing a document (fetch, extract, chunk, embed, store, …). Steps are registered in DI in the
/// order they run; <see cref="IngestPipeline"/> runs them one after the other and gives each its span and duration
/// measurement, so a step only does its own work: read what earlier steps left on the <see cref="IngestContext"/>,
/// leave its product there, or end the job with <see cref="IngestContext.Finish"/>. Adding OCR or enrichment is
/// adding a step.
/// </summary>
public interface IIngestStep
{
    /// <summary>The step's name in spans (<c>lode.ingest.&lt;name&gt;</c>) and in the <c>step</c> tag of its duration.</summary>
    string Name { get; }

    Task RunAsync(IngestContext context, CancellationToken cancellationToken);
}
