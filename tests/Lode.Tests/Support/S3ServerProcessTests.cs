using System.Net;
using System.Text;
using System.Text.Json;
using Minio;
using Minio.DataModel.Args;
using Minio.Exceptions;

namespace Lode.Tests.Support;

public sealed class S3ServerProcessTests
{
    private const string Bucket = "documents";
    private static readonly TimeSpan WebhookTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public void A_build_folder_copied_out_of_the_repository_finds_the_repository_it_was_built_from()
    {
        var fromBuildFolder = S3ServerProcess.FindRepositoryRoot();
        var outside = Directory.CreateTempSubdirectory("lode-copied-build-");
        try
        {
            Assert.Equal(fromBuildFolder, S3ServerProcess.FindRepositoryRoot(outside.FullName));
            Assert.True(File.Exists(Path.Combine(fromBuildFolder, "infra", "local", "s3", "launcher.mjs")));
        }
        finally
        {
            outside.Delete();
        }
    }

    [Fact]
    public async Task Objects_round_trip_through_the_Minio_SDK_and_fire_MinIO_shaped_webhooks()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = cts.Token;
        await using var receiver = WebhookReceiver.Start();
        await using var s3 = await S3ServerProcess.StartAsync(receiver.Url, "hook-token", [Bucket], ct);
        using var minio = Connect(s3, s3.SecretKey);

        const string name = "dir/a b+c ü.txt";
        var content = Encoding.UTF8.GetBytes("Grüße aus Lode\n");
        await minio.PutObjectAsync(new PutObjectArgs().WithBucket(Bucket).WithObject(name)
            .WithStreamData(new MemoryStream(content)).WithObjectSize(content.Length).WithContentType("text/plain"), ct);

        // ListObjects is what s3rver's wrong XML namespace broke.
        var keys = new List<string>();
        await foreach (var item in minio.ListObjectsEnumAsync(
                           new ListObjectsArgs().WithBucket(Bucket).WithRecursive(true), ct))
        {
            keys.Add(item.Key);
        }
        Assert.Equal([name], keys);

        using var fetched = new MemoryStream();
        await minio.GetObjectAsync(new GetObjectArgs().WithBucket(Bucket).WithObject(name)
            .WithCallbackStream(stream => stream.CopyTo(fetched)), ct);
        Assert.Equal(content, fetched.ToArray());

        var put = await receiver.WaitForAsync(h => h.Body.Contains("s3:ObjectCreated:Put"), WebhookTimeout);
        Assert.Equal("POST", put.Method);
        Assert.Equal("/api/minio/events", put.Path);
        Assert.Equal("Bearer hook-token", put.Authorization);
        Assert.StartsWith("application/json", put.ContentType);
        using (var json = JsonDocument.Parse(put.Body))
        {
            var root = json.RootElement;
            Assert.Equal("s3:ObjectCreated:Put", root.GetProperty("EventName").GetString());
            Assert.Equal($"{Bucket}/{name}", root.GetProperty("Key").GetString());
            var record = Assert.Single(root.GetProperty("Records").EnumerateArray());
            Assert.Equal("minio:s3", record.GetProperty("eventSource").GetString());
            Assert.Equal("s3:ObjectCreated:Put", record.GetProperty("eventName").GetString());
            var s3Part = record.GetProperty("s3");
            Assert.Equal(Bucket, s3Part.GetProperty("bucket").GetProperty("name").GetString());
            Assert.Equal($"arn:aws:s3:::{Bucket}", s3Part.GetProperty("bucket").GetProperty("arn").GetString());
            var obj = s3Part.GetProperty("object");
            // Go's url.QueryEscape, exactly as MinIO writes it.
            Assert.Equal("dir%2Fa+b%2Bc+%C3%BC.txt", obj.GetProperty("key").GetString());
            Assert.Equal(name, WebUtility.UrlDecode(obj.GetProperty("key").GetString()));
            Assert.Equal(content.Length, obj.GetProperty("size").GetInt64());
            Assert.Equal("text/plain", obj.GetProperty("contentType").GetString());
            Assert.False(string.IsNullOrEmpty(obj.GetProperty("eTag").GetString()));
        }

        await minio.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(Bucket).WithObject(name), ct);
        var removed = await receiver.WaitForAsync(h => h.Body.Contains("s3:ObjectRemoved:Delete"), WebhookTimeout);
        using (var json = JsonDocument.Parse(removed.Body))
        {
            Assert.Equal($"{Bucket}/{name}", json.RootElement.GetProperty("Key").GetString());
        }
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_like_MinIO_would()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var s3 = await S3ServerProcess.StartAsync("", "", [Bucket], cts.Token);
        using var minio = Connect(s3, "not-the-secret");

        var content = "x"u8.ToArray();
        await Assert.ThrowsAsync<AuthorizationException>(() => minio.PutObjectAsync(new PutObjectArgs().WithBucket(Bucket)
            .WithObject("x.txt").WithStreamData(new MemoryStream(content)).WithObjectSize(content.Length), cts.Token));
    }

    // The launcher holds the upload key to the put-only policy Lode's MinIO upload user gets: it writes objects and
    // nothing else. A copy needs a read of its source, so it is denied too, and nothing is written.
    [Fact]
    public async Task The_upload_key_may_put_objects_and_nothing_else_not_even_a_copy()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = cts.Token;
        await using var s3 = await S3ServerProcess.StartAsync("", "", [Bucket], ct);
        using var admin = Connect(s3, s3.SecretKey);
        using var uploader = new MinioClient().WithEndpoint(s3.Endpoint)
            .WithCredentials(S3ServerProcess.UploadAccessKey, s3.UploadSecretKey).WithSSL(false).Build();
        var secret = "Board minutes: the merger closes in March."u8.ToArray();
        await admin.PutObjectAsync(new PutObjectArgs().WithBucket(Bucket).WithObject("board/minutes.txt")
            .WithStreamData(new MemoryStream(secret)).WithObjectSize(secret.Length), ct);

        var upload = "an upload"u8.ToArray();
        await uploader.PutObjectAsync(new PutObjectArgs().WithBucket(Bucket).WithObject("uploads/mine.txt")
            .WithStreamData(new MemoryStream(upload)).WithObjectSize(upload.Length), ct);

        await Assert.ThrowsAnyAsync<MinioException>(() => uploader.GetObjectAsync(new GetObjectArgs().WithBucket(Bucket)
            .WithObject("board/minutes.txt").WithCallbackStream(_ => { }), ct));
        await Assert.ThrowsAnyAsync<MinioException>(() => uploader.StatObjectAsync(new StatObjectArgs().WithBucket(Bucket)
            .WithObject("uploads/mine.txt"), ct));
        await Assert.ThrowsAnyAsync<MinioException>(() => uploader.CopyObjectAsync(new CopyObjectArgs().WithBucket(Bucket)
            .WithObject("uploads/copy.txt").WithCopyObjectSource(new CopySourceObjectArgs().WithBucket(Bucket).WithObject("board/minutes.txt")), ct));
        await Assert.ThrowsAnyAsync<MinioException>(() => uploader.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(Bucket)
            .WithObject("board/minutes.txt"), ct));
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var _ in uploader.ListObjectsEnumAsync(new ListObjectsArgs().WithBucket(Bucket).WithRecursive(true), ct)) { }
        });

        var store = s3.CreateStore();
        Assert.Null(await store.StatAsync(Bucket, "uploads/copy.txt", ct));
        Assert.NotNull(await store.StatAsync(Bucket, "board/minutes.txt", ct));
        Assert.Equal(upload.Length, (await store.StatAsync(Bucket, "uploads/mine.txt", ct))!.Size);
    }

    private static IMinioClient Connect(S3ServerProcess s3, string secretKey) =>
        new MinioClient().WithEndpoint(s3.Endpoint).WithCredentials(s3.AccessKey, secretKey).WithSSL(false).Build();
}
