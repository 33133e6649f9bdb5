using System.Text;
using Lode.Embeddings;
using Lode.Storage;
using Lode.Tests.Hosting;
using Lode.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Minio;

namespace Lode.Tests.Security;

/// <summary>
/// Access rules live in configuration, and documents keep the groups decided when they were ingested. When the app
/// starts with different rules, every document's groups are decided again, without embedding anything; when it starts
/// with the same rules, nothing is queued.
/// </summary>
public sealed class AccessRulesChangeTests
{
    private const string Key = "hr/policy.md";

    [Fact]
    public async Task Starting_with_changed_rules_regroups_every_document_without_embedding_and_unchanged_rules_queue_nothing()
    {
        await using var database = await TestDatabase.CreateAsync(migrate: false);
        var port = FreePort.Next();
        await using var s3 = await S3ServerProcess.StartAsync($"http://127.0.0.1:{port}/api/minio/events", LodeStack.WebhookToken, [LodeStack.Bucket], default);
        string[] HrRuleGrants(string group) => LodeStack.AppArguments(database, s3, port,
            "--Access:DefaultGroups:0=", "--Access:PrefixRules:0:Prefix=hr/", $"--Access:PrefixRules:0:Groups:0={group}");

        await using (await StandaloneApp.StartAsync(HrRuleGrants("hr")))
        {
            using var client = new MinioClient().WithEndpoint(s3.Endpoint).WithCredentials(s3.AccessKey, s3.SecretKey).Build();
            var store = new MinioObjectStore(client, Options.Create(new StorageOptions()));
            var text = "# Policy\n\n" + string.Join(" ", Enumerable.Range(1, 400).Select(i => $"rule{i}"));
            await store.PutAsync(LodeStack.Bucket, Key, new MemoryStream(Encoding.UTF8.GetBytes(text)), "text/markdown", default);
            await WaitForGroupsAsync(database, "{hr}");
        }
        var indexedAt = await database.ScalarAsync<DateTime>("SELECT indexed_at FROM documents WHERE key = $1", Key);
        Assert.True(await database.ScalarAsync<long>("SELECT count(*) FROM chunks") >= 2, "a document of several chunks");

        await using (var changed = await StandaloneApp.StartAsync(HrRuleGrants("people"), CountEmbeddings))
        {
            await WaitForGroupsAsync(database, "{people}");
            Assert.Equal(0, changed.Services.GetRequiredService<CountingEmbeddingGenerator>().Texts);
        }
        Assert.Equal(["{people}"], await ChunkGroupsAsync(database));
        Assert.Equal(indexedAt, await database.ScalarAsync<DateTime>("SELECT indexed_at FROM documents WHERE key = $1", Key));

        // Same rules again: the start-up queues nothing (it would have, before the app reports itself started).
        var updatedAt = await database.ScalarAsync<DateTime>("SELECT updated_at FROM documents WHERE key = $1", Key);
        await using (await StandaloneApp.StartAsync(HrRuleGrants("people")))
        {
            Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs"));
            Assert.Equal(updatedAt, await database.ScalarAsync<DateTime>("SELECT updated_at FROM documents WHERE key = $1", Key));
        }
    }

    private static void CountEmbeddings(IServiceCollection services)
    {
        services.AddSingleton(sp => new CountingEmbeddingGenerator(sp.GetRequiredService<OnnxSentenceEmbeddingGenerator>()));
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => sp.GetRequiredService<CountingEmbeddingGenerator>());
    }

    private static Task WaitForGroupsAsync(TestDatabase database, string groups) =>
        Eventually.WaitUntilAsync(async () =>
            await database.ScalarAsync<long>("SELECT count(*) FROM documents WHERE key = $1 AND status = 'indexed' AND read_groups::text = $2", Key, groups) == 1
            && await database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs") == 0,
            $"{Key} to be indexed with groups {groups}", 120);

    private static async Task<List<string>> ChunkGroupsAsync(TestDatabase database)
    {
        await using var command = database.DataSource.CreateCommand("SELECT DISTINCT read_groups::text FROM chunks");
        var groups = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) groups.Add(reader.GetString(0));
        return groups;
    }
}
