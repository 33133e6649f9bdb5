using Lode.Egress;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Lode.Identity;

public static class IdentityServiceCollectionExtensions
{
    /// <summary>Registers who may call: API keys (configured and stored), OIDC callers, rate limits, the webhook token.</summary>
    public static IServiceCollection AddLodeIdentity(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        // Before ingestion's hosted services: closes the process (and its credentials) to its own children before any
        // extractor child is started.
        services.AddHostedService<ProcessInspectionGuard>();
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton<StoredApiKeyAuthenticator>();
        services.AddSingleton<ApiKeyAdministration>();
        services.AddSingleton<OidcCallers>();
        services.AddSingleton<CallerRateLimiter>();
        services.AddSingleton<WebhookAuthenticator>();
        // Tokens are checked against keys the identity provider publishes: it must be on the premises.
        services.AddRemoteEndpointCheck<OidcOptions>(
            new("Security:Oidc:JwksUrl", o => o.JwksUrl),
            new("Security:Oidc:Authority", o => o.Authority));
        return services;
    }
}
