using Lode.Functions.HealthChecks;
using Lode.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>
/// GET api/health: liveness and readiness. Anyone gets the overall status (and 200 or 503); an administrator's
/// credentials add one entry per registered check, whose descriptions and data (queue depth, model load errors, index
/// generations) are not for anonymous eyes. Credentials that fail count against the caller like anywhere else.
/// </summary>
public sealed class Health(SharedHealthReport health, ApiCallers callers)
{
    [Function(nameof(Health)), CallerAccess(AllowedCallers.Anyone)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/health")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var report = await health.GetAsync(cancellationToken);
        // Probes send no credentials: no authentication attempt, so they never count as failures.
        var details = request.Headers.Authorization.Count > 0 && await callers.IsAdminAsync(request, cancellationToken);
        return HealthResponse.From(report, details);
    }
}
