using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lode.Tests.Support;

namespace Lode.Tests.Links;

/// <summary>
/// A stack whose store sends no notifications, so an object can be replaced after it was indexed and stay replaced,
/// unindexed, for as long as a test needs: documents are indexed only when a test asks (<see cref="IndexAsync"/>).
/// </summary>
public sealed class QuietStackFixture : IAsyncLifetime
{
    public LodeStack Stack { get; private set; } = null!;

    // The reconciliation timer is off too: it would index a replaced object behind the test's back.
    public async Task InitializeAsync() =>
        Stack = await LodeStack.StartWithoutNotificationsAsync(extraArgs: "--AzureWebJobs.ReconcileTimer.Disabled=true");

    /// <summary>
    /// Looks at the object through a reindex run and waits until the run is done (every job it queued has its outcome),
    /// then checks that the document shows <paramref name="status"/> for the object's current version (etag).
    /// </summary>
    public async Task IndexAsync(string key, string status = "indexed")
    {
        var etag = (await Stack.Store.StatAsync(LodeStack.Bucket, key, default))!.Etag;
        using var response = await Stack.Admin.PostAsJsonAsync("api/reindex", new { bucket = LodeStack.Bucket, prefix = key, force = true });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        await Eventually.WaitUntilAsync(async () =>
            (await Stack.Admin.GetFromJsonAsync<JsonElement>($"api/reindex/{id}")).GetProperty("status").GetString() == "done",
            $"reindex run {id} of {key} to finish", seconds: 90);
        var document = (await Stack.GetDocumentAsync(key))!.Value;
        Assert.Equal((status, etag), (document.GetProperty("status").GetString(), document.GetProperty("etag").GetString()));
    }

    public Task DisposeAsync() => Stack.DisposeAsync().AsTask();
}

/// <summary>
/// api/sources signs a link to whatever object is at the key, so it checks the object there now: its etag must be the
/// indexed version's and its groups, decided again from its metadata, must include the caller. Without that, an object
/// replaced after indexing (content or groups) was handed out under the old version's groups.
/// </summary>
public sealed class SourceLinkVersionTests(QuietStackFixture fixture) : IClassFixture<QuietStackFixture>
{
    private LodeStack Stack => fixture.Stack;

    private static string SourcePath(string key) =>
        LodeStack.DocumentPath(key).Replace("api/documents/", "api/sources/", StringComparison.Ordinal);

    [Fact]
    public async Task An_object_replaced_after_indexing_gets_no_link_until_its_new_version_is_indexed()
    {
        const string key = "versions/berth-rules.txt";
        await Stack.PutAsync(key, Encoding.UTF8.GetBytes("Berths are allocated a day ahead."), "text/plain");
        await fixture.IndexAsync(key);
        using (var indexed = await Stack.Api.GetAsync(SourcePath(key))) Assert.Equal(HttpStatusCode.OK, indexed.StatusCode);

        await Stack.PutAsync(key, Encoding.UTF8.GetBytes("Salary bands for 2025: see the attached table."), "text/plain");
        using (var replaced = await Stack.Api.GetAsync(SourcePath(key))) Assert.Equal(HttpStatusCode.NotFound, replaced.StatusCode);

        await fixture.IndexAsync(key);
        using var reindexed = await Stack.Api.GetAsync(SourcePath(key));
        Assert.Equal(HttpStatusCode.OK, reindexed.StatusCode);
    }

    [Fact]
    public async Task An_object_whose_metadata_now_excludes_the_caller_gets_no_link()
    {
        const string key = "versions/tariffs.txt";
        await Stack.PutAsync(key, Encoding.UTF8.GetBytes("Tariffs are reviewed each April."), "text/plain");
        await fixture.IndexAsync(key);

        // Same content, so the same etag: only the groups decided from the object's metadata now tell the difference.
        await Stack.ReplaceMetadataAsync(key, new Dictionary<string, string> { ["lode-groups"] = "finance" });
        using var response = await Stack.Api.GetAsync(SourcePath(key));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_failed_document_gets_no_link()
    {
        const string key = "versions/broken.pdf";
        await Stack.PutAsync(key, Encoding.UTF8.GetBytes("%PDF-1.7 this is not a PDF at all"), "application/pdf");
        await fixture.IndexAsync(key, status: "failed");
        // The failed document is readable by the caller's groups (its listing shows it), but there is nothing indexed to open.
        Assert.NotNull(await Stack.GetDocumentAsync(key, Stack.Api));

        using var response = await Stack.Api.GetAsync(SourcePath(key));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
