using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Lode.Teams;

public static class TeamsServiceCollectionExtensions
{
    /// <summary>Registers the Teams webhook's handler; <see cref="TeamsOptions"/> are bound by the app.</summary>
    public static IServiceCollection AddLodeTeams(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        // One instance: it holds the replay cache, which must see every request of the process.
        services.AddSingleton<TeamsMessageHandler>();
        return services;
    }
}
