using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Tests.Storage;

/// <summary>
/// The worker decides a document's groups from a stat and reads its content with a later GET. An object replaced in
/// between (here: at the worst moment, by a store wrapper, against the real S3 server) must not have the new content
/// indexed under the old version's groups: the download is checked against the stat (etag and metadata of the GET's
/// own response), and a mismatch is read again from a fresh stat.
/// </summary>
public sealed class ObjectReplacedDuringFetchTests
{
    [Fact]
    public async Task Content_replaced_between_stat_and_download_is_indexed_with_its_own_groups_never_the_old_ones()
    {
        // No notifications and no reconciliation: the replacement is seen only through the job in hand.
        await using var stack = await LodeStack.StartWithoutNotificationsAsync(overrides: ReplacingObjectStore.Register,
            extraArgs: "--AzureWebJobs.ReconcileTimer.Disabled=true");
        const string key = "race/notice.txt";
        var store = stack.App.Services.GetRequiredService<ReplacingObjectStore>();
        store.Replacement = Encoding.UTF8.GetBytes("Confidential: salary bands for the board.");
        store.ReplacementMetadata = new Dictionary<string, string> { ["lode-groups"] = "finance" };
        // The staff may read the first version (Access:DefaultGroups), only finance the second.
        await stack.PutAsync(key, Encoding.UTF8.GetBytes("Public notice: the quay opens at six."), "text/plain");
        store.Key = key;

        using var run = await stack.Admin.PostAsJsonAsync("api/reindex", new { bucket = LodeStack.Bucket, prefix = key });
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        var id = (await run.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        await Eventually.WaitUntilAsync(async () =>
            (await stack.Admin.GetFromJsonAsync<JsonElement>($"api/reindex/{id}")).GetProperty("status").GetString() == "done",
            $"reindex run {id} to finish", seconds: 90);

        Assert.True(store.Replaced);
        var document = (await stack.GetDocumentAsync(key))!.Value;
        Assert.Equal("indexed", document.GetProperty("status").GetString());
        Assert.Equal((await stack.Store.StatAsync(LodeStack.Bucket, key, default))!.Etag, document.GetProperty("etag").GetString());
        Assert.Equal(["finance"], document.GetProperty("readGroups").EnumerateArray().Select(g => g.GetString()));
        Assert.Null(await stack.GetDocumentAsync(key, stack.Api));
        var leaked = await stack.Database.ScalarAsync<long>(
            "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id " +
            "WHERE d.key = 'race/notice.txt' AND c.content LIKE '%salary%' AND c.read_groups <> ARRAY['finance']");
        Assert.Equal(0, leaked);
    }
}
