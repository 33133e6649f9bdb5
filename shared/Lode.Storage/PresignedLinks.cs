using Microsoft.Extensions.Options;
using Minio;
using Minio.DataModel.Args;

namespace Lode.Storage;

/// <summary>How a browser should treat an object fetched through a link.</summary>
public sealed record ResponsePresentation(string ContentType, string ContentDisposition);

/// <summary>
/// A URL that lets its holder read or write one object until <see cref="ExpiresAt"/>, with no credentials; a request to
/// it must carry <see cref="Headers"/> exactly (they are signed).
/// </summary>
/// <remarks>A string, as it was signed: a round trip through <see cref="Uri"/> may re-escape it and break the signature.</remarks>
public sealed record PresignedLink(string Url, DateTimeOffset ExpiresAt, IReadOnlyDictionary<string, string> Headers)
{
    public PresignedLink(string url, DateTimeOffset expiresAt) : this(url, expiresAt, new Dictionary<string, string>()) { }
}

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
    /// <c>x-amz-meta-</c> prefix; values printable ASCII, as HTTP headers are). The metadata is signed as headers
    /// (<see cref="SignedHeadersPresigner"/>): the holder of the link must send exactly these values (they are the
    /// link's <see cref="PresignedLink.Headers"/>), or the store refuses the PUT. With <paramref name="exactBytes"/>,
    /// Content-Length is signed too, so the link takes a body of that size and no other (clients set it themselves from
    /// the body, so it is not among the headers to send). Signed with the put-only upload credential
    /// (<see cref="StorageOptions.UploadAccessKey"/>), so the store refuses the link as a CopyObject or a read.
    /// </summary>
    /// <exception cref="InvalidOperationException">No upload credential is configured.</exception>
    /// <param name="replacesEtag">
    /// Null: the link only creates the object (<c>If-None-Match: *</c> is signed, so the store refuses the PUT while any
    /// object is at the key). An etag: the link only replaces that version (<c>If-Match</c>).
    /// </param>
    public Task<PresignedLink> ForWritingAsync(string bucket, string key, IReadOnlyDictionary<string, string> userMetadata,
        long? exactBytes = null, string? replacesEtag = null)
    {
        if (!_options.UploadsConfigured)
            throw new InvalidOperationException("Upload links need Storage:UploadAccessKey and Storage:UploadSecretKey (a put-only store user).");
        var now = _time.GetUtcNow();
        var headers = userMetadata.ToDictionary(m => "x-amz-meta-" + m.Key.ToLowerInvariant(), m => m.Value, StringComparer.Ordinal);
        if (replacesEtag is null) headers["if-none-match"] = "*";
        else headers["if-match"] = $"\"{replacesEtag}\"";
        var signed = new Dictionary<string, string>(headers, StringComparer.Ordinal);
        if (exactBytes is { } size) signed["content-length"] = size.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var url = SignedHeadersPresigner.PresignPut(_options.PublicOrigin, _options.Region, _options.UploadAccessKey, _options.UploadSecretKey,
            bucket, key, signed, now, _options.PresignedLinkSeconds);
        return Task.FromResult(new PresignedLink(url, now + Lifetime, headers));
    }
}
