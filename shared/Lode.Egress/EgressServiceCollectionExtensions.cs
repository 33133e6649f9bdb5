using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lode.Egress;

public static class EgressServiceCollectionExtensions
{
    /// <summary>Registers the <see cref="RemoteHostAllowlist"/> read from <see cref="EgressOptions"/>.</summary>
    public static IServiceCollection AddLodeEgress(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => RemoteHostAllowlist.Parse(sp.GetRequiredService<IOptions<EgressOptions>>().Value.AllowedRemoteHosts));
        return services;
    }

    /// <summary>
    /// Validates that the URLs in <paramref name="endpoints"/> point at hosts on <c>Security:AllowedRemoteHosts</c>
    /// whenever <typeparamref name="TOptions"/> is validated (at start-up, with ValidateOnStart).
    /// </summary>
    public static IServiceCollection AddRemoteEndpointCheck<TOptions>(this IServiceCollection services, params RemoteEndpointSetting<TOptions>[] endpoints)
        where TOptions : class =>
        services.AddLodeEgress()
            .AddSingleton<IValidateOptions<TOptions>>(sp => new RemoteEndpointValidator<TOptions>(sp.GetRequiredService<RemoteHostAllowlist>(), endpoints));
}
