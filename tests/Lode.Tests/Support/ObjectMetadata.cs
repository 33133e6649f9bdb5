using Minio;
using Minio.DataModel.Args;

namespace Lode.Tests.Support;

/// <summary>
/// Changes an object's user metadata the only way S3 offers: a copy of the object onto itself with the metadata
/// directive REPLACE (what S3 consoles and CLIs do to edit metadata). The content, and so the ETag, stay as they are.
/// </summary>
public static class ObjectMetadata
{
    public static async Task ReplaceAsync(IMinioClient client, string bucket, string key,
        IReadOnlyDictionary<string, string> userMetadata, CancellationToken cancellationToken = default)
    {
        // REPLACE replaces every header-borne attribute, the content type included: carry it over explicitly.
        var current = await client.StatObjectAsync(new StatObjectArgs().WithBucket(bucket).WithObject(key), cancellationToken);
        var headers = userMetadata.ToDictionary(p => "x-amz-meta-" + p.Key, p => p.Value, StringComparer.Ordinal);
        headers["Content-Type"] = current.ContentType;
        await client.CopyObjectAsync(new CopyObjectArgs()
            .WithBucket(bucket).WithObject(key)
            .WithCopyObjectSource(new CopySourceObjectArgs().WithBucket(bucket).WithObject(key))
            .WithReplaceMetadataDirective(true)
            .WithHeaders(headers), cancellationToken);
    }
}
