using System.Text.Json;
using Lode.Storage;
using Lode.Tests.Support;
using Microsoft.Extensions.Options;
using Minio;

namespace Lode.Tests.Security;

/// <summary>
/// The object metadata that carries a document's groups, through the real S3 server and the Minio SDK: what the
/// object store reads back, and what a metadata change (a copy onto itself) looks like to Lode.
/// </summary>
public sealed class ObjectMetadataTests
{
    private const string Bucket = "documents";
    private static readonly TimeSpan WebhookTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Stat_returns_user_metadata_by_name_without_the_header_prefix()
    {
        await using var s3 = await S3ServerProcess.StartAsync("", "", [Bucket], default);
        using var client = Connect(s3);
        var store = Store(client);

        await store.PutAsync(Bucket, "hr/a.txt", new MemoryStream("text"u8.ToArray()), "text/plain", default,
            new Dictionary<string, string> { ["lode-groups"] = "hr, finance", ["Department"] = "People" });
        var stat = await store.StatAsync(Bucket, "hr/a.txt", default);

        Assert.NotNull(stat);
        Assert.Equal("hr, finance", stat.UserMetadata["lode-groups"]);
        Assert.Equal("People", stat.UserMetadata["DEPARTMENT"]);
        // Standard headers are not user metadata, even though the SDK reports them in the same dictionary.
        Assert.Equal(2, stat.UserMetadata.Count);
        Assert.Equal("text/plain", stat.ContentType);
    }

    [Fact]
    public async Task A_copy_onto_itself_replaces_the_metadata_keeps_content_and_etag_and_fires_a_created_event()
    {
        await using var receiver = WebhookReceiver.Start();
        await using var s3 = await S3ServerProcess.StartAsync(receiver.Url, "hook-token", [Bucket], default);
        using var client = Connect(s3);
        var store = Store(client);
        const string key = "board/minutes 2024+Q1.md";
        await store.PutAsync(Bucket, key, new MemoryStream("# Minutes"u8.ToArray()), "text/markdown", default,
            new Dictionary<string, string> { ["lode-groups"] = "board", ["keep"] = "no" });
        var before = await store.StatAsync(Bucket, key, default);

        await ObjectMetadata.ReplaceAsync(client, Bucket, key, new Dictionary<string, string> { ["lode-groups"] = "board,legal" });

        var after = await store.StatAsync(Bucket, key, default);
        Assert.NotNull(after);
        Assert.Equal("board,legal", Assert.Single(after.UserMetadata).Value);
        Assert.Equal(before!.Etag, after.Etag);
        Assert.Equal("text/markdown", after.ContentType);
        await using (var fetched = await store.FetchAsync(after, default))
            Assert.Equal("# Minutes", new StreamReader(fetched!.Content).ReadToEnd());

        // MinIO reports the copy as a created object; Lode looks at the object again on it.
        var copied = await receiver.WaitForAsync(h => h.Body.Contains("s3:ObjectCreated:Copy"), WebhookTimeout);
        using var json = JsonDocument.Parse(copied.Body);
        Assert.Equal($"{Bucket}/{key}", json.RootElement.GetProperty("Key").GetString());
        var reported = json.RootElement.GetProperty("Records")[0].GetProperty("s3").GetProperty("object");
        Assert.Equal(before.Etag, reported.GetProperty("eTag").GetString());
        Assert.Equal("board,legal", reported.GetProperty("userMetadata").GetProperty("X-Amz-Meta-Lode-Groups").GetString());
    }

    private static MinioObjectStore Store(IMinioClient client) => new(client, Options.Create(new StorageOptions()));

    private static IMinioClient Connect(S3ServerProcess s3) =>
        new MinioClient().WithEndpoint(s3.Endpoint).WithCredentials(s3.AccessKey, s3.SecretKey).WithSSL(false).Build();
}
