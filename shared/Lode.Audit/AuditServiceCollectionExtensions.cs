using Microsoft.Extensions.DependencyInjection;

namespace Lode.Audit;

public static class AuditServiceCollectionExtensions
{
    /// <summary>Registers the audit trail; it writes through the data source AddLodeDatabase registers.</summary>
    public static IServiceCollection AddLodeAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditLog>();
        return services;
    }
}
