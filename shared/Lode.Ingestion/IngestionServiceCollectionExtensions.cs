using Lode.Ingestion.Chunking;
using Lode.Ingestion.Events;
using Lode.Ingestion.Extraction;
using Lode.Ingestion.Pipeline;
using Lode.Ingestion.Queue;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Ingestion;

public static class IngestionServiceCollectionExtensions
{
    /// <summary>
    /// Registers event intake, the pipeline steps and (when <see cref="IngestionOptions.WorkerEnabled"/>) the queue
    /// worker. Needs the database, storage and embedding registrations.
    /// </summary>
    public static IServiceCollection AddLodeIngestion(this IServiceCollection services)
    {
        services.AddTextExtraction();
        services.AddSingleton<IngestSignal>();
        services.AddSingleton<EventIntake>();
        services.AddSingleton<FetchStep>();
        services.AddSingleton<ExtractStep>();
        services.AddSingleton<ChunkStep>();
        services.AddSingleton<EmbedStep>();
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton<IngestPipeline>();
        // Registered before the worker: hosted services start in order, so no job is leased before the schema exists.
        services.AddHostedService<IndexInitializer>();
        services.AddHostedService<IngestWorker>();
        return services;
    }
}
