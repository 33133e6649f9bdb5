using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lode.Embeddings;
using Lode.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Tests.Security;

/// <summary>
/// Changing who may read a document by changing its object metadata (a copy onto itself, as <c>mc cp --attr</c> does):
/// access follows on the object's next event, and nothing is fetched into the model again.
/// </summary>
public sealed class RegroupingTests
{
    private const string HrKey = "test-hr-key-0123456789abcdef";
    private const string FinanceKey = "test-finance-key-0123456789abcdef";
    private const string LegalKey = "test-legal-key-0123456789abcdef";
    private const string Plan = "board/plan.md";
    private const string Control = "board/control.md";

    [Fact]
    public async Task New_metadata_changes_access_without_embedding_anything_again()
    {
        await using var stack = await LodeStack.StartAsync(null, services =>
        {
            services.AddSingleton(sp => new CountingEmbeddingGenerator(sp.GetRequiredService<OnnxSentenceEmbeddingGenerator>()));
            services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => sp.GetRequiredService<CountingEmbeddingGenerator>());
        },
        [
            "--Access:DefaultGroups:0=",
            .. TestReaders.ApiKeyArgs("hr-reader", HrKey, "hr"),
            .. TestReaders.ApiKeyArgs("finance-reader", FinanceKey, "finance"),
            .. TestReaders.ApiKeyArgs("legal-reader", LegalKey, "legal"),
        ]);
        var embedded = stack.App.Services.GetRequiredService<CountingEmbeddingGenerator>();
        using var hr = stack.ClientFor(HrKey);
        using var finance = stack.ClientFor(FinanceKey);
        using var legal = stack.ClientFor(LegalKey);

        await stack.PutAsync(Plan, Encoding.UTF8.GetBytes(
            "# Merger plan\n\nThe merger with Heronsgate closes in the spring. " + string.Join(" ", Enumerable.Range(1, 400).Select(i => $"clause{i}"))),
            "text/markdown", new Dictionary<string, string> { ["lode-groups"] = "hr,finance" });
        await stack.PutAsync(Control, Encoding.UTF8.GetBytes("# Other plan\n\nThe merger budget is fixed."),
            "text/markdown", new Dictionary<string, string> { ["lode-groups"] = "finance" });
        var before = (await stack.WaitForStatusAsync(Plan, "indexed"))!.Value;
        await stack.WaitForStatusAsync(Control, "indexed");
        Assert.True(before.GetProperty("chunks").GetInt32() >= 2, "a document of several chunks");
        Assert.Equal(["finance", "hr"], Groups(before));
        Assert.Equal([Plan], await FoundAsync(hr));
        Assert.Empty(await FoundAsync(legal));

        // hr loses the document, legal gains it, finance keeps it.
        var embeddedBefore = embedded.Texts;
        await stack.ReplaceMetadataAsync(Plan, new Dictionary<string, string> { ["lode-groups"] = "finance,legal" });
        var after = await WaitForGroupsAsync(stack, ["finance", "legal"]);

        Assert.Equal(embeddedBefore, embedded.Texts);
        Assert.Equal(before.GetProperty("etag").GetString(), after.GetProperty("etag").GetString());
        // Set only when a document is (re-)indexed: the pipeline saw the content unchanged and only re-grouped it.
        Assert.Equal(before.GetProperty("indexedAt").GetDateTimeOffset(), after.GetProperty("indexedAt").GetDateTimeOffset());
        Assert.Equal(["{finance,legal}"], await ChunkGroupsAsync(stack, Plan));
        Assert.Equal(["{finance}"], await ChunkGroupsAsync(stack, Control));

        Assert.Empty(await FoundAsync(hr));
        Assert.Equal([Plan], await FoundAsync(legal));
        Assert.Equal([Control, Plan], await FoundAsync(finance));
        Assert.Equal(HttpStatusCode.NotFound, (await hr.GetAsync(LodeStack.DocumentPath(Plan))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await legal.GetAsync(LodeStack.DocumentPath(Plan))).StatusCode);

        // Without the metadata nothing grants access any more: default deny.
        await stack.ReplaceMetadataAsync(Plan, new Dictionary<string, string>());
        await WaitForGroupsAsync(stack, []);
        Assert.Equal(embeddedBefore, embedded.Texts);
        Assert.Empty(await FoundAsync(legal));
        Assert.Equal([Control], await FoundAsync(finance));
    }

    private static string[] Groups(JsonElement document) =>
        document.GetProperty("readGroups").EnumerateArray().Select(g => g.GetString()!).ToArray();

    private static async Task<JsonElement> WaitForGroupsAsync(LodeStack stack, string[] groups)
    {
        var document = (await stack.WaitForDocumentAsync(Plan, d => d?.GetProperty("status").GetString() == "indexed" && Groups(d.Value).SequenceEqual(groups)))!.Value;
        await stack.WaitForQueueEmptyAsync();
        return document;
    }

    /// <summary>The documents a caller's search for the merger finds (text mode: the query is not embedded).</summary>
    private static async Task<string[]> FoundAsync(HttpClient caller)
    {
        using var response = await caller.PostAsJsonAsync("api/search", new { query = "merger plan", top = 50, mode = "text" });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("key").GetString()!).Distinct().Order(StringComparer.Ordinal).ToArray();
    }

    private static async Task<List<string>> ChunkGroupsAsync(LodeStack stack, string key)
    {
        await using var command = stack.Database.DataSource.CreateCommand("""
            SELECT DISTINCT c.read_groups::text FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.bucket = $1 AND d.key = $2
            """);
        command.Parameters.Add(new() { Value = LodeStack.Bucket });
        command.Parameters.Add(new() { Value = key });
        var groups = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) groups.Add(reader.GetString(0));
        return groups;
    }
}
