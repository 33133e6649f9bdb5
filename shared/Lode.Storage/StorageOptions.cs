using System.ComponentModel.DataAnnotations;

namespace Lode.Storage;

/// <summary>Configuration section <c>Storage</c>: the S3 endpoint (MinIO in production).</summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string SectionName = "Storage";

    /// <summary>host:port of the S3 endpoint, without scheme.</summary>
    [Required]
    public string Endpoint { get; set; } = "127.0.0.1:9000";

    [Required]
    public string AccessKey { get; set; } = "";

    [Required]
    public string SecretKey { get; set; } = "";

    /// <summary>
    /// The credential upload links (presigned PUTs) are signed with: a store user that may only <c>s3:PutObject</c> on
    /// the buckets' objects (infra/minio/upload-policy.json). Not <see cref="AccessKey"/>: a presigned PUT that carries
    /// an unsigned <c>x-amz-copy-source</c> header is a CopyObject, which the store allows when the signer may also
    /// read the source, so a link signed with a reading credential could copy any document into the upload. Empty
    /// (the default): uploads through Lode are off.
    /// </summary>
    public string UploadAccessKey { get; set; } = "";

    public string UploadSecretKey { get; set; } = "";

    /// <summary>Both halves of the upload credential are configured.</summary>
    public bool UploadsConfigured => !string.IsNullOrWhiteSpace(UploadAccessKey) && !string.IsNullOrWhiteSpace(UploadSecretKey);

    public bool UseSsl { get; set; }

    /// <summary>Signing region; MinIO accepts the default.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Objects larger than this are not downloaded; the document ends failed (too large).</summary>
    [Range(1, long.MaxValue)]
    public long MaxObjectBytes { get; set; } = 200L << 20;

    /// <summary>Objects up to this size are buffered in memory; larger ones in a temporary file.</summary>
    [Range(0, long.MaxValue)]
    public long MemoryBufferBytes { get; set; } = 32L << 20;

    /// <summary>
    /// host:port at which browsers reach the store, for presigned links (opening a cited source, uploading from the
    /// web page); empty: <see cref="Endpoint"/>. Set it when the app reaches the store by an internal name.
    /// </summary>
    public string PublicEndpoint { get; set; } = "";

    /// <summary>HTTPS for presigned links; empty: <see cref="UseSsl"/>.</summary>
    public bool? PublicUseSsl { get; set; }

    /// <summary>How long a presigned link works. Short: a link copied out of the page stops working soon.</summary>
    [Range(10, 3_600)]
    public int PresignedLinkSeconds { get; set; } = 300;

    internal string PublicEndpointOrDefault => string.IsNullOrWhiteSpace(PublicEndpoint) ? Endpoint : PublicEndpoint.Trim();

    internal bool PublicUseSslOrDefault => PublicUseSsl ?? UseSsl;

    /// <summary>The origin (scheme://host:port) presigned links point at: what a browser page must be allowed to reach.</summary>
    public Uri PublicOrigin => new($"{(PublicUseSslOrDefault ? "https" : "http")}://{PublicEndpointOrDefault}");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(UploadAccessKey) != string.IsNullOrWhiteSpace(UploadSecretKey))
            yield return new ValidationResult("Storage:UploadAccessKey and Storage:UploadSecretKey must be set together.",
                ["Storage:UploadAccessKey", "Storage:UploadSecretKey"]);
        if (UploadsConfigured && UploadAccessKey == AccessKey)
            yield return new ValidationResult("Storage:UploadAccessKey must be a store user of its own that may only PutObject, not Storage:AccessKey.",
                ["Storage:UploadAccessKey"]);
        // The SDK and the page's Content-Security-Policy both want host[:port]: a scheme or a path here would sign links
        // for an address no browser can reach.
        foreach (var (name, value) in new[] { ("Storage:Endpoint", Endpoint), ("Storage:PublicEndpoint", PublicEndpoint) })
        {
            if (string.IsNullOrWhiteSpace(value)) continue;
            var trimmed = value.Trim();
            if (trimmed.IndexOfAny(['/', '@', '?', '#', ' ']) >= 0 || !Uri.TryCreate("http://" + trimmed, UriKind.Absolute, out var parsed)
                || parsed.Host.Length == 0)
                yield return new ValidationResult($"{name} must be host or host:port, without scheme or path (got '{value}').", [name]);
        }
    }
}
