using Microsoft.Extensions.DependencyInjection;

namespace Lode.Audit;

public static class AuditServiceCollectionExtensions
{
    /// <summary>
    /// Registers the audit trail (it writes through the data source AddLodeDatabase registers) and the audited services
    /// surfaces answer, search and open documents through. The host registers <see cref="IFailureCodes"/>.
    /// </summary>
    public static IServiceCollection AddLodeAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AuditedChat>();
        services.AddSingleton<AuditedSearch>();
        services.AddSingleton<AuditedEvaluation>();
        services.AddSingleton<AccessAudit>();
        return services;
    }
}
