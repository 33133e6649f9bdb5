using Lode.Database;
using Lode.Database.Generations;
using Lode.Ingestion.Generations;
using Lode.Access;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Lode.Ingestion;

/// <summary>
/// Runs before anything touches the index: applies schema migrations, moves the index towards the configured embedding
/// model (<see cref="GenerationSwitch.ApplyConfiguredModelAsync"/>: a fresh index gets generation 1 of it; a different
/// current model starts a background build of a new generation, or switches back at once to a previous generation of
/// it), builds missing vector indexes, switches to a build that completed before a crash, and queues every document
/// to have its groups decided again when the access rules changed since the last start. Waits for the database for
/// a while, since in real deployments the app often starts before PostgreSQL is ready.
/// </summary>
public sealed class IndexInitializer(
    SchemaMigrator migrator,
    GenerationSwitch generations,
    GenerationVectorIndexes vectorIndexes,
    BuildCompletion builds,
    JobQueue queue,
    DocumentAccessResolver access,
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
                await generations.EnsureFirstAsync(model, dimensions, cancellationToken);
                Report(await generations.ApplyConfiguredModelAsync(model, dimensions, cancellationToken), model);
                await vectorIndexes.EnsureAsync(cancellationToken);
                await builds.TryCompleteAsync(cancellationToken);
                await RedecideGroupsIfRulesChangedAsync(cancellationToken);
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

    private void Report(ModelDecision decision, string model)
    {
        var generation = decision.Generation;
        switch (decision.Kind)
        {
            case ModelDecisionKind.AlreadyCurrent:
                logger.LogInformation("Index ready: generation {Generation}, embedding model {Model} ({Dimensions} dimensions)",
                    generation.Id, generation.Model, generation.Dimensions);
                break;
            case ModelDecisionKind.SwitchedBack:
                logger.LogWarning("Embedding model {Model} configured: its kept generation {Generation} is current again (nothing re-embedded)",
                    model, generation.Id);
                break;
            case ModelDecisionKind.BuildStarted:
                logger.LogWarning("Embedding model {Model} configured: building index generation {Generation} in the background " +
                    "({Queued} documents queued); searches use the current generation until it is complete", model, generation.Id, decision.Queued);
                break;
            case ModelDecisionKind.BuildUnderway:
                logger.LogInformation("Embedding model {Model} configured: index generation {Generation} is being built", model, generation.Id);
                break;
            case ModelDecisionKind.OtherBuildUnderway:
                logger.LogWarning("Embedding model {Model} configured, but index generation {Generation} is being built for {Other}; " +
                    "the configured model's generation is built at a start after that one is complete, or after an admin drops it " +
                    "(DELETE api/admin/generations/{Id})", model, generation.Id, generation.Model, generation.Id);
                break;
        }
    }

    // Groups are decided when a document is ingested, so a revoked rule would otherwise keep granting until each object
    // happened to change. Each queued job finds its content unchanged and only stores the groups the rules give now:
    // nothing is extracted or embedded again. (A first start of an index from before access control counts as a
    // change: its documents get their groups this way.) The rules are adopted and the documents queued in one
    // transaction: from then on instances still running the old rules lease nothing and their writes are refused.
    private async Task RedecideGroupsIfRulesChangedAsync(CancellationToken ct)
    {
        var queued = await queue.AdoptAccessRulesAsync(access.RulesFingerprint, "access rules changed", ct);
        if (queued > 0) logger.LogWarning("Access rules changed: {Count} documents queued to have their groups decided again", queued);
    }
}
