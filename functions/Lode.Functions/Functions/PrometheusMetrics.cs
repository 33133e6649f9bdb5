using Lode.Functions.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>
/// GET metrics: every metric in the Prometheus text format, for a scraper holding <c>Telemetry:PrometheusToken</c>.
/// A function rather than a mapped endpoint, so it is served the same way standalone and under the Functions host.
/// </summary>
public sealed class PrometheusMetrics(PrometheusScrape scrape)
{
    public const string Route = "metrics";

    // Anyone may ask; the scrape checks its own token (and rate-limits failures) before it answers.
    [Function(nameof(PrometheusMetrics)), CallerAccess(AllowedCallers.Anyone)]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequest request) =>
        scrape.ServeAsync(request);
}
