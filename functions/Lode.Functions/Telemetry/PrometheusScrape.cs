using Lode.Functions.Http;
using Lode.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Lode.Functions.Telemetry;

/// <summary>
/// Answers a Prometheus scrape, the same way in both hosting modes (the Functions host owns routing there, so the
/// endpoint is a function, <see cref="PrometheusMetrics"/>). The scraper must send <c>Telemetry:PrometheusToken</c> as a
/// bearer token: without one configured every scrape is refused, like every other non-health route. Failed attempts
/// count against the caller's address like failed API keys. The text itself is rendered by the OpenTelemetry Prometheus
/// exporter's own middleware (content negotiation, response cache), run here as a one-step pipeline.
/// </summary>
public sealed class PrometheusScrape
{
    private readonly TelemetryOptions _options;
    private readonly HashedSecret? _token;
    private readonly CallerRateLimiter _limits;
    private readonly Lazy<RequestDelegate> _exporter;

    public PrometheusScrape(IOptions<TelemetryOptions> options, CallerRateLimiter limits, IServiceProvider services)
    {
        _options = options.Value;
        _limits = limits;
        _token = string.IsNullOrWhiteSpace(_options.PrometheusToken) ? null : new HashedSecret(_options.PrometheusToken.Trim());
        _exporter = new Lazy<RequestDelegate>(() => new ApplicationBuilder(services)
            .UseOpenTelemetryPrometheusScrapingEndpoint(_ => true)
            .Build());
    }

    public async Task<IActionResult> ServeAsync(HttpRequest request)
    {
        if (!_options.PrometheusEnabled)
            throw ApiException.NotFound("not_found", "The Prometheus endpoint is off (Telemetry:PrometheusEnabled=false).");

        var attempt = _limits.BeginAuthentication(request.HttpContext.Connection.RemoteIpAddress);
        if (!attempt.Decision.Allowed)
            throw new ApiException(StatusCodes.Status429TooManyRequests, "rate_limited",
                $"Too many failed authentication attempts from your address. Retry after {ApiErrors.Seconds(attempt.Decision.RetryAfter)} s.",
                attempt.Decision.RetryAfter);
        if (_token is null || !_token.Matches(BearerToken.From(request.Headers.Authorization)))
        {
            request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            throw new ApiException(StatusCodes.Status401Unauthorized, "unauthorized", _token is null
                ? "No scrape token is configured (Telemetry:PrometheusToken): every scrape is refused."
                : "Send the scrape token (Telemetry:PrometheusToken) as 'Authorization: Bearer <token>'.");
        }

        attempt.NotFailed();
        await _exporter.Value(request.HttpContext);
        return new EmptyResult();
    }
}
