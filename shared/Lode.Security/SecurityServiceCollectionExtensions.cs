using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lode.Security;

public static class SecurityServiceCollectionExtensions
{
    public static IServiceCollection AddLodeSecurity(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        // First of the app's hosted services: closes the process to its own children before any is started.
        services.AddHostedService<ProcessInspectionGuard>();
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton<StoredApiKeyAuthenticator>();
        services.AddSingleton<ApiKeyAdministration>();
        services.AddSingleton<OidcCallers>();
        services.AddSingleton<CallerRateLimiter>();
        services.AddSingleton<WebhookAuthenticator>();
        services.AddSingleton<DocumentAccessResolver>();
        services.AddSingleton(sp => RemoteHostAllowlist.Parse(sp.GetRequiredService<IOptions<SecurityOptions>>().Value.AllowedRemoteHosts));
        services.AddRemoteEndpointCheck<OidcOptions>(
            new("Security:Oidc:JwksUrl", o => o.JwksUrl),
            new("Security:Oidc:Authority", o => o.Authority));
        return services;
    }

    /// <summary>
    /// Validates that the URLs in <paramref name="endpoints"/> point at hosts on <c>Security:AllowedRemoteHosts</c>
    /// whenever <typeparamref name="TOptions"/> is validated (at start-up, with ValidateOnStart).
    /// </summary>
    public static IServiceCollection AddRemoteEndpointCheck<TOptions>(this IServiceCollection services, params RemoteEndpointSetting<TOptions>[] endpoints)
        where TOptions : class =>
        services.AddSingleton<IValidateOptions<TOptions>>(sp => new RemoteEndpointValidator<TOptions>(sp.GetRequiredService<RemoteHostAllowlist>(), endpoints));
}
