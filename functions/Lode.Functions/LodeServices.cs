using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Lode.Functions;

/// <summary>
/// The one DI registration of the app, used by both hosting modes. Register every service here (health checks
/// via AddHealthChecks().AddCheck&lt;T&gt;(), background workers as IHostedService), never in a mode-specific place.
/// </summary>
public static class LodeServices
{
    public static IServiceCollection AddLode(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        // Executes the IActionResults functions return (the worker's ASP.NET Core integration needs it as well).
        services.AddMvcCore();

        // GET api/health reports every check registered here.
        services.AddHealthChecks();

        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
