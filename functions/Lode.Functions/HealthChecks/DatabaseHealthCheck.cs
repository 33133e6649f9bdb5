using Lode.Database;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lode.Functions.HealthChecks;

/// <summary>The database answers; reports the ingest queue's depth and the age of its oldest job.</summary>
public sealed class DatabaseHealthCheck(JobQueue queue) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var (depth, oldest) = await queue.DepthAsync(cancellationToken);
            return HealthCheckResult.Healthy(data: new Dictionary<string, object>
            {
                ["queuedJobs"] = depth,
                ["oldestJobAgeSeconds"] = Math.Round(oldest?.TotalSeconds ?? 0, 1),
            });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The reason stays in the exception (logged by the health service), not in the anonymous response.
            return HealthCheckResult.Unhealthy("Database unreachable", e);
        }
    }
}
