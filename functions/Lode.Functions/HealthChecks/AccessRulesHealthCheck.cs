using Lode.Database;
using Lode.Access;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lode.Functions.HealthChecks;

/// <summary>
/// The index follows this instance's access rules. Degraded when another instance has since adopted other rules: this
/// one then leases no ingest jobs (it still serves questions, filtered by the groups stored under the current rules)
/// until it is restarted with the current <c>Access:*</c> settings.
/// </summary>
public sealed class AccessRulesHealthCheck(IndexSettings settings, DocumentAccessResolver access) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var stored = await settings.GetAsync(IndexSettings.AccessRules, cancellationToken);
        return stored is null || stored == access.RulesFingerprint
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded("The index follows other access rules than this instance's; its worker leases no ingest jobs.");
    }
}
