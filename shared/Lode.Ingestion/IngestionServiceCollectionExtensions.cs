using Lode.Ingestion.Chunking;
using Lode.Ingestion.Events;
using Lode.Ingestion.Extraction;
using Lode.Ingestion.Generations;
using Lode.Ingestion.Links;
using Lode.Ingestion.Operations;
using Lode.Ingestion.Pipeline;
using Lode.Ingestion.Queue;
using Lode.Ingestion.Sandbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lode.Ingestion;

public static class IngestionServiceCollectionExtensions
{
    /// <summary>
    /// Registers event intake, the pipeline steps, the operations (reindex, reconciliation, retries) and (when
    /// <see cref="IngestionOptions.WorkerEnabled"/>) the queue worker and reindex lister. Needs the database, storage and
    /// embedding registrations.
    /// </summary>
    public static IServiceCollection AddLodeIngestion(this IServiceCollection services)
    {
        services.AddTextExtraction();
        services.AddSingleton<IngestSignal>();
        services.AddSingleton<GroupCommitMetrics>();
        services.AddSingleton<GroupCommitWriter>();
        services.AddSingleton<EventIntake>();
        services.AddSingleton<InProcessExtraction>();
        services.AddSingleton<SandboxedExtraction>();
        services.AddSingleton<IDocumentExtraction>(provider => provider.GetRequiredService<IOptions<SandboxOptions>>().Value.Enabled
            ? provider.GetRequiredService<SandboxedExtraction>()
            : provider.GetRequiredService<InProcessExtraction>());
        // The ingest steps, in the order they run (IngestPipeline runs every IIngestStep registered, in this order).
        services.AddSingleton<IIngestStep, FetchStep>();
        services.AddSingleton<IIngestStep, ExtractStep>();
        services.AddSingleton<IIngestStep, ChunkStep>();
        services.AddSingleton<IIngestStep, EmbedStep>();
        services.AddSingleton<IIngestStep, StoreStep>();
        services.AddSingleton<JobOutcomeDecision>();
        services.AddSingleton<JobOutcomeRecorder>();
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton<IngestPipeline>();
        services.AddSingleton<IndexedBuckets>();
        services.AddSingleton<SourceLinks>();
        services.AddSingleton<UploadGrants>();
        services.AddSingleton<ReindexSignal>();
        services.AddSingleton<ReindexRequests>();
        services.AddSingleton<BucketReconciler>();
        services.AddSingleton<DeadLetters>();
        services.AddSingleton<BuildCompletion>();
        // Registered before the worker: hosted services start in order, so no job is leased before the schema exists.
        services.AddHostedService<IndexInitializer>();
        services.AddHostedService<IngestWorker>();
        services.AddHostedService<ReindexLister>();
        services.AddHostedService<BuildWatcher>();
        return services;
    }
}
