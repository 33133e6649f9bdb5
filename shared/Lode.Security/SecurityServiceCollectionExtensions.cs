using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Lode.Security;

public static class SecurityServiceCollectionExtensions
{
    public static IServiceCollection AddLodeSecurity(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton<WebhookAuthenticator>();
        services.AddSingleton<DocumentAccessResolver>();
        return services;
    }
}
