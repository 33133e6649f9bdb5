using Microsoft.Extensions.Options;
using Minio;
using Minio.DataModel.Args;

namespace Lode.Storage;

/// <summary>How a browser should treat an object fetched through a link.</summary>
public sealed record ResponsePresentation(string ContentType, string ContentDisposition);

/// <summary>A URL that lets its holder read or write one object until <see cref="ExpiresAt"/>, with no credentials.</summary>
/// <remarks>A string, as the SDK signed it: a round trip through <see cref="Uri"/> may re-escape it and break the signature.</remarks>
public sealed record PresignedLink(string Url, DateTimeOffset ExpiresAt);

/// <summary>
/// Signs short-lived S3 URLs (SigV4 query signatures) for one object, addressed to the store's public endpoint
/// (<see cref="StorageOptions.PublicEndpoint"/>): a SigV4 signature covers the host, so a link signed for the internal
/// name would be refused when a browser sends it to the public one. Signing is local computation; no request is sent.
/// </summary>
public sealed class PresignedLinks
{
    private readonly IMinioClient _signer;
    private readonly StorageOptions _options;
    private readonly TimeProvider _time;

    public PresignedLinks(IOptions<StorageOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        // The region is given, so the SDK never asks the server for it (which would be a request to a browser-facing
        // address the app may not be able to reach).
        _signer = new MinioClient()
            .WithEndpoint(_options.PublicEndpointOrDefault)
            .WithCredentials(_options.AccessKey, _options.SecretKey)
            .WithRegion(_options.Region)
            .WithSSL(_options.PublicUseSslOrDefault)
            .Build();
    }

    public TimeSpan Lifetime => TimeSpan.FromSeconds(_options.PresignedLinkSeconds);

    /// <summary>
    /// A GET link to the object. <paramref name="presentation"/> overrides the response's Content-Type and
    /// Content-Disposition (S3's <c>response-content-type</c>, <c>response-content-disposition</c>; signed, so they
    /// cannot be changed by whoever holds the link).
    /// </summary>
    public async Task<PresignedLink> ForReadingAsync(string bucket, string key, ResponsePresentation presentation)
    {
        var expiresAt = _time.GetUtcNow() + Lifetime;
        var url = await _signer.PresignedGetObjectAsync(new PresignedGetObjectArgs()
            .WithBucket(bucket).WithObject(key).WithExpiry(_options.PresignedLinkSeconds)
            .WithHeaders(new Dictionary<string, string>
            {
                ["response-content-type"] = presentation.ContentType,
                ["response-content-disposition"] = presentation.ContentDisposition,
            }));
        return new PresignedLink(url, expiresAt);
    }

    /// <summary>
    /// A PUT link that creates or replaces the object with <paramref name="userMetadata"/> (names without the
    /// <c>x-amz-meta-</c> prefix). The SDK signs metadata into the query string, where MinIO (and S3) read it as the
    /// object's metadata, so the holder of the link cannot change it there. Note: an unsigned <c>x-amz-meta-*</c>
    /// header sent with the PUT is not covered by the signature; see SECURITY.md.
    /// </summary>
    public async Task<PresignedLink> ForWritingAsync(string bucket, string key, IReadOnlyDictionary<string, string> userMetadata)
    {
        var expiresAt = _time.GetUtcNow() + Lifetime;
        var args = new PresignedPutObjectArgs().WithBucket(bucket).WithObject(key).WithExpiry(_options.PresignedLinkSeconds);
        if (userMetadata.Count > 0)
            args = args.WithHeaders(userMetadata.ToDictionary(m => "x-amz-meta-" + m.Key, m => m.Value, StringComparer.OrdinalIgnoreCase));
        var url = await _signer.PresignedPutObjectAsync(args);
        return new PresignedLink(url, expiresAt);
    }
}
