using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Minio;

namespace Lode.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers the Minio client and <see cref="IObjectStore"/> from <see cref="StorageOptions"/>.</summary>
    public static IServiceCollection AddLodeStorage(this IServiceCollection services)
    {
        services.AddSingleton<IMinioClient>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return new MinioClient()
                .WithEndpoint(options.Endpoint)
                .WithCredentials(options.AccessKey, options.SecretKey)
                .WithRegion(options.Region)
                .WithSSL(options.UseSsl)
                .Build();
        });
        services.AddSingleton<IObjectStore, MinioObjectStore>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PresignedLinks>();
        return services;
    }
}
