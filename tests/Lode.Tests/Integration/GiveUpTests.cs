using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Tests.Integration;

/// <summary>
/// When transient retries give up on a new version (issue 12, items 2 and 10), the last good version keeps answering
/// under the groups it was indexed with, the document says it failed and that an older version is served, and the
/// document's own groups are none: nothing grants access from the groups of a version that never indexed.
/// Real PostgreSQL, S3 server and app; the embedder is broken the way an outage breaks it.
/// </summary>
public sealed class GiveUpTests
{
    private const string Key = "notices/harbour.txt";
    private const string BoardKey = "test-board-key-0123456789abcdef";

    [Fact]
    public async Task Giving_up_on_a_new_version_keeps_serving_the_last_good_one_and_grants_nothing_from_the_failed_one()
    {
        await using var stack = await LodeStack.StartAsync(overrides: SwitchableEmbeddingGenerator.Register,
            extraArgs: TestReaders.ApiKeyArgs("board", BoardKey, "board"));
        using var board = stack.ClientFor(BoardKey);
        var embedder = stack.App.Services.GetRequiredService<SwitchableEmbeddingGenerator>();

        await stack.PutAsync(Key, Encoding.UTF8.GetBytes("The lighthouse keeper lights the lamp at dusk."), "text/plain",
            Groups(TestReaders.Group));
        var first = (await stack.WaitForStatusAsync(Key, "indexed"))!.Value;
        var firstEtag = first.GetProperty("etag").GetString();
        Assert.Equal(firstEtag, first.GetProperty("servingEtag").GetString());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("staleSince").ValueKind);

        // A new version for another group arrives while the embedder is away, and stays away past every attempt.
        embedder.Broken = true;
        await stack.PutAsync(Key, Encoding.UTF8.GetBytes("The board approves the harbour budget in March."), "text/plain",
            Groups("board"));
        var failed = (await stack.WaitForStatusAsync(Key, "failed"))!.Value;
        await stack.WaitForQueueEmptyAsync();

        Assert.Contains(SwitchableEmbeddingGenerator.FailureMessage, failed.GetProperty("error").GetString());
        Assert.Equal(3, failed.GetProperty("attempts").GetInt32());
        Assert.Equal(firstEtag, failed.GetProperty("servingEtag").GetString());
        Assert.Equal(JsonValueKind.String, failed.GetProperty("staleSince").ValueKind);
        Assert.Equal(first.GetProperty("chunks").GetInt32(), failed.GetProperty("chunks").GetInt32());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("readGroups").ValueKind);
        Assert.True(failed.GetProperty("canRetry").GetBoolean()); // no groups, but still the admin's to retry
        Assert.True(await stack.Database.ScalarAsync<bool>(
            "SELECT read_groups IS NULL FROM documents WHERE bucket = $1 AND key = $2", LodeStack.Bucket, Key));

        // The old version still answers its own readers, and only them; the document grants no one, old or new.
        // (The embedder is back, for the queries; no job is left to pick the document up again.)
        embedder.Broken = false;
        Assert.Contains(Key, await SearchKeys(stack.Api, "lighthouse keeper lamp"));
        Assert.DoesNotContain(Key, await SearchKeys(board, "lighthouse keeper lamp"));
        Assert.Null(await stack.GetDocumentAsync(Key, stack.Api));
        Assert.Null(await stack.GetDocumentAsync(Key, board));

        // Once the cause is gone, a retry indexes the new version under its own groups and the old one stops answering.
        using (var retry = await stack.Admin.PostAsync(LodeStack.DocumentPath(Key) + "/retry", null)) retry.EnsureSuccessStatusCode();
        var second = (await stack.WaitForStatusAsync(Key, "indexed"))!.Value;
        Assert.NotEqual(firstEtag, second.GetProperty("servingEtag").GetString());
        Assert.Equal(second.GetProperty("etag").GetString(), second.GetProperty("servingEtag").GetString());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("staleSince").ValueKind);
        Assert.Equal(["board"], second.GetProperty("readGroups").EnumerateArray().Select(g => g.GetString()));
        Assert.DoesNotContain(Key, await SearchKeys(stack.Api, "lighthouse keeper lamp"));
        Assert.Contains(Key, await SearchKeys(board, "board harbour budget"));
    }

    [Fact]
    public async Task Giving_up_on_a_document_that_never_indexed_serves_nothing_and_says_so()
    {
        await using var stack = await LodeStack.StartAsync(overrides: SwitchableEmbeddingGenerator.Register);
        var embedder = stack.App.Services.GetRequiredService<SwitchableEmbeddingGenerator>();
        embedder.Broken = true;

        await stack.PutAsync(Key, Encoding.UTF8.GetBytes("The lighthouse keeper lights the lamp at dusk."), "text/plain");
        var failed = (await stack.WaitForStatusAsync(Key, "failed"))!.Value;
        await stack.WaitForQueueEmptyAsync();
        embedder.Broken = false; // for the query below

        Assert.Equal(JsonValueKind.Null, failed.GetProperty("servingEtag").ValueKind);
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("staleSince").ValueKind);
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("readGroups").ValueKind);
        Assert.Empty(await SearchKeys(stack.Api, "lighthouse keeper lamp"));
    }

    private static Dictionary<string, string> Groups(string groups) => new() { ["lode-groups"] = groups };

    private static async Task<List<string>> SearchKeys(HttpClient client, string query)
    {
        using var response = await client.PostAsJsonAsync("api/search", new { query, top = 10, bucket = LodeStack.Bucket });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").EnumerateArray()
            .Select(r => r.GetProperty("key").GetString()!).ToList();
    }
}
