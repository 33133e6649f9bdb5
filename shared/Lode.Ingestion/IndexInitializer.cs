using Lode.Database;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Lode.Ingestion;

/// <summary>
/// Runs before anything touches the index: applies schema migrations for the configured embedding dimension and
/// refuses to start when the index was built with another model. Waits for the database for a while, since in real
/// deployments the app often starts before PostgreSQL is ready.
/// </summary>
public sealed class IndexInitializer(
    SchemaMigrator migrator,
    IndexSettings settings,
    IEmbeddingGenerator<string, Embedding<float>> generator,
    ILogger<IndexInitializer> logger) : IHostedService
{
    public static readonly TimeSpan StartupWait = TimeSpan.FromSeconds(60);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>()
            ?? throw new InvalidOperationException("The embedding generator does not describe its model.");
        var model = metadata.DefaultModelId ?? throw new InvalidOperationException("The embedding generator has no model id.");
        var dimensions = metadata.DefaultModelDimensions ?? throw new InvalidOperationException("The embedding generator has no dimension.");

        var deadline = DateTime.UtcNow + StartupWait;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await migrator.MigrateAsync(new SchemaParameters(dimensions), cancellationToken);
                await settings.EnsureEmbeddingModelAsync(model, dimensions, cancellationToken);
                logger.LogInformation("Index ready: embedding model {Model} ({Dimensions} dimensions)", model, dimensions);
                return;
            }
            catch (NpgsqlException e) when (e.IsTransient && DateTime.UtcNow < deadline)
            {
                logger.LogWarning("Database not reachable yet (attempt {Attempt}): {Error}", attempt, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, attempt)), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
