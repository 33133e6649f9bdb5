using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lode.Functions.Http;

public sealed record HealthBody(string Status, IReadOnlyDictionary<string, HealthCheckBody> Checks);

public sealed record HealthCheckBody(string Status, string? Description, double DurationMs, IReadOnlyDictionary<string, object>? Data);

/// <summary>Shapes a health report for GET api/health: 200 while usable (ok or degraded), 503 when anything is unhealthy.</summary>
public static class HealthResponse
{
    public static IActionResult From(HealthReport report)
    {
        var checks = report.Entries.ToDictionary(
            e => e.Key,
            e => new HealthCheckBody(Describe(e.Value.Status), e.Value.Description, Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                e.Value.Data.Count == 0 ? null : e.Value.Data));
        return new ObjectResult(new HealthBody(Describe(report.Status), checks))
        {
            StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK,
            ContentTypes = { "application/json" },
        };
    }

    private static string Describe(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "ok",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
