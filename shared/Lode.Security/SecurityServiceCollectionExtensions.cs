using Microsoft.Extensions.DependencyInjection;

namespace Lode.Security;

public static class SecurityServiceCollectionExtensions
{
    public static IServiceCollection AddLodeSecurity(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton<WebhookAuthenticator>();
        return services;
    }
}
