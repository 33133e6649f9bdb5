using Lode.Database.Generations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lode.Database;

public static class DatabaseServiceCollectionExtensions
{
    /// <summary>Registers the data source (with pgvector types) and the repositories.</summary>
    public static IServiceCollection AddLodeDatabase(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
            DataSourceSettings.Apply(builder.ConnectionStringBuilder, options);
            builder.UseVector();
            return builder.Build();
        });
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<IndexSettings>();
        services.AddSingleton<JobQueue>();
        services.AddSingleton<IndexWriter>();
        services.AddSingleton<ChunkVectorCache>();
        services.AddSingleton<DocumentRepository>();
        services.AddSingleton<ApiKeyRepository>();
        services.AddSingleton<ReindexRunStore>();
        services.AddSingleton<AdvisoryLocks>();
        services.AddSingleton<IndexInventory>();
        services.AddSingleton<IndexGenerations>();
        services.AddSingleton<GenerationSwitch>();
        services.AddSingleton<GenerationVectorIndexes>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<CurrentIndexGeneration>();
        return services;
    }
}
