using Microsoft.Extensions.DependencyInjection;

namespace Lode.Access;

public static class AccessServiceCollectionExtensions
{
    /// <summary>Registers the <see cref="DocumentAccessResolver"/> (configured by <see cref="DocumentAccessOptions"/>) and <see cref="DocumentVisibility"/>.</summary>
    public static IServiceCollection AddLodeAccess(this IServiceCollection services) =>
        services.AddSingleton<DocumentAccessResolver>().AddSingleton<DocumentVisibility>();
}
