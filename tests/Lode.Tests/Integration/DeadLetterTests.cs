using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Tests.Integration;

/// <summary>
/// Failed documents (dead letters) are listed for operators with their reason, attempts and time, and are queued again
/// by a retry once the cause is fixed: one document, or every failed document of a bucket.
/// </summary>
public sealed class DeadLetterTests
{
    // Both addresses of a retry: api/documents/retry/{bucket}/{key} and the contract's api/documents/{bucket}/{key}/retry.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_failed_document_is_listed_with_its_reason_and_indexes_when_retried_after_the_cause_is_fixed(bool keyThenRetry)
    {
        string RetryPath(string key) => keyThenRetry ? LodeStack.DocumentPath(key) + "/retry" : RetryFirstPath(key);
        await using var stack = await LodeStack.StartAsync(overrides: SwitchableEmbeddingGenerator.Register);
        var embedder = stack.App.Services.GetRequiredService<SwitchableEmbeddingGenerator>();
        embedder.Broken = true;
        const string key = "handbook/leave policy.txt";
        await stack.PutAsync(key, Encoding.UTF8.GetBytes("Annual leave is 25 days; carry-over needs approval."), "text/plain");
        // The object could not be looked at, so its groups are unknown: only admins see this failure.
        await stack.WaitForStatusAsync(key, "failed", client: stack.Admin);

        using var listing = await stack.Admin.GetAsync($"api/documents?bucket={LodeStack.Bucket}&status=failed");
        var failed = Assert.Single((await listing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("documents").EnumerateArray());
        Assert.Equal(key, failed.GetProperty("key").GetString());
        Assert.Equal(3, failed.GetProperty("attempts").GetInt32()); // Ingestion:MaxAttempts of the test stack
        Assert.Contains(SwitchableEmbeddingGenerator.FailureMessage, failed.GetProperty("error").GetString());
        Assert.True(failed.GetProperty("updatedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));

        // Only admins retry; an unknown document is 404 and one that has not failed is 409.
        using (var notAdmin = await stack.Api.PostAsync(RetryPath(key), null)) Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        using (var unknown = await stack.Admin.PostAsync(RetryPath("no/such.txt"), null)) Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        // A POST to the document itself, without /retry, does nothing.
        using (var bare = await stack.Admin.PostAsync(LodeStack.DocumentPath(key), null)) Assert.Equal(HttpStatusCode.NotFound, bare.StatusCode);

        embedder.Broken = false;
        using var retried = await stack.Admin.PostAsync(RetryPath(key), null);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        Assert.Equal("pending", (await retried.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        var indexed = (await stack.WaitForStatusAsync(key, "indexed"))!.Value;
        Assert.Equal(1, indexed.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, indexed.GetProperty("error").ValueKind);
        using var again = await stack.Admin.PostAsync(RetryPath(key), null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Retrying_a_bucket_queues_every_failed_document_under_the_prefix()
    {
        await using var stack = await LodeStack.StartAsync(overrides: SwitchableEmbeddingGenerator.Register);
        var embedder = stack.App.Services.GetRequiredService<SwitchableEmbeddingGenerator>();
        embedder.Broken = true;
        string[] retried = ["batch-a/one.txt", "batch-a/two.txt", "batch-a/three.txt"];
        const string leftAlone = "batch-b/four.txt";
        foreach (var key in retried.Append(leftAlone))
            await stack.PutAsync(key, Encoding.UTF8.GetBytes($"{key} explains how expense claims are filed."), "text/plain");
        foreach (var key in retried.Append(leftAlone)) await stack.WaitForStatusAsync(key, "failed", client: stack.Admin);
        embedder.Broken = false;

        using var notAdmin = await stack.Api.PostAsync($"api/documents/retry-failed/{LodeStack.Bucket}?prefix=batch-a/", null);
        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        using var response = await stack.Admin.PostAsync($"api/documents/retry-failed/{LodeStack.Bucket}?prefix=batch-a/", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, body.GetProperty("queued").GetInt64());
        Assert.Equal("batch-a/", body.GetProperty("prefix").GetString());
        foreach (var key in retried) await stack.WaitForStatusAsync(key, "indexed");
        await stack.WaitForQueueEmptyAsync();
        Assert.Equal("failed", (await stack.GetDocumentAsync(leftAlone, stack.Admin))!.Value.GetProperty("status").GetString());
    }

    private static string RetryFirstPath(string key) =>
        $"api/documents/retry/{LodeStack.Bucket}/{string.Join('/', key.Split('/').Select(Uri.EscapeDataString))}";
}
