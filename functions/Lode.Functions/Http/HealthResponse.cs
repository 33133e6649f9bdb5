using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lode.Functions.Http;

public sealed record HealthBody(string Status, IReadOnlyDictionary<string, HealthCheckBody> Checks);

/// <summary>What an anonymous caller sees: the status only.</summary>
public sealed record HealthStatusBody(string Status);

public sealed record HealthCheckBody(string Status, string? Description, double DurationMs, IReadOnlyDictionary<string, object>? Data);

/// <summary>Shapes a health report for GET api/health: 200 while usable (ok or degraded), 503 when anything is unhealthy.</summary>
public static class HealthResponse
{
    /// <param name="details">Each check's status, description and data (administrators); otherwise the status only.</param>
    public static IActionResult From(HealthReport report, bool details)
    {
        object body = details
            ? new HealthBody(Describe(report.Status), report.Entries.ToDictionary(
                e => e.Key,
                e => new HealthCheckBody(Describe(e.Value.Status), e.Value.Description, Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                    e.Value.Data.Count == 0 ? null : e.Value.Data)))
            : new HealthStatusBody(Describe(report.Status));
        return new ObjectResult(body)
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
