using Lode.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lode.Functions;

/// <summary>GET api/health: liveness and readiness, one entry per registered health check.</summary>
public sealed class Health(HealthCheckService health)
{
    [Function(nameof(Health))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/health")] HttpRequest request,
        CancellationToken cancellationToken) =>
        HealthResponse.From(await health.CheckHealthAsync(cancellationToken));
}
