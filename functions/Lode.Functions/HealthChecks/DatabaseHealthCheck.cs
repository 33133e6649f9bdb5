using Lode.Database;
using Lode.Database.Generations;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lode.Functions.HealthChecks;

/// <summary>
/// The database answers; reports the ingest queue's depth and the age of its oldest job, the index generation searches
/// use (and its model), and a generation being built for another model, if any (progress: api/admin/generations).
/// </summary>
public sealed class DatabaseHealthCheck(JobQueue queue, IndexGenerations generations) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var (depth, oldest) = await queue.DepthAsync(cancellationToken);
            var data = new Dictionary<string, object>
            {
                ["queuedJobs"] = depth,
                ["oldestJobAgeSeconds"] = Math.Round(oldest?.TotalSeconds ?? 0, 1),
            };
            foreach (var generation in await generations.ListAsync(cancellationToken))
            {
                if (generation.IsCurrent) (data["indexGeneration"], data["indexModel"]) = (generation.Id, generation.Model);
                if (generation.IsBuilding) (data["buildingGeneration"], data["buildingModel"]) = (generation.Id, generation.Model);
            }
            return HealthCheckResult.Healthy(data: data);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The reason stays in the exception (logged by the health service), not in the anonymous response.
            return HealthCheckResult.Unhealthy("Database unreachable", e);
        }
    }
}
