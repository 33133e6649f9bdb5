using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lode.Functions.HealthChecks;

/// <summary>
/// One health report shared by every caller of GET api/health for <see cref="MaxAge"/>: the endpoint is anonymous, and
/// each run counts the ingest queue (a count(*) over its jobs) and asks the store and the models, so a flood of
/// anonymous probes must not become a flood of database scans. Callers arriving during a run wait for that run.
/// </summary>
public sealed class SharedHealthReport(HealthCheckService health, TimeProvider time)
{
    /// <summary>How long a report is reused: short against a probe's period, long against a flood.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private Task<HealthReport>? _report;
    private DateTimeOffset _startedAt;

    public Task<HealthReport> GetAsync(CancellationToken cancellationToken)
    {
        Task<HealthReport> report;
        lock (_gate)
        {
            if (_report is null || (_report.IsCompleted && time.GetUtcNow() - _startedAt >= MaxAge))
            {
                _startedAt = time.GetUtcNow();
                // Not the caller's token: the run is shared, one caller leaving must not cancel it for the others.
                _report = health.CheckHealthAsync(CancellationToken.None);
            }
            report = _report;
        }
        return report.WaitAsync(cancellationToken);
    }
}
