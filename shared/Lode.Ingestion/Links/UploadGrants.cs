using System.Text;
using Lode.Ingestion.Extraction;
using Lode.Access;
using Lode.Identity;
using Lode.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lode.Ingestion.Links;

/// <summary>
/// What a caller asks to upload. <paramref name="Groups"/>: who may read it (null or empty: the caller's own groups); the
/// bucket's prefix rules add theirs, as for any object.
/// </summary>
public sealed record UploadRequest(string? Bucket, string? Key, string? ContentType, long? SizeBytes, IReadOnlyList<string>? Groups, bool Overwrite);

/// <summary>
/// A signed PUT for one object: send the file's bytes to <see cref="Url"/> with <see cref="Headers"/> before
/// <see cref="ExpiresAt"/>. The store's notification then queues the document like any other object.
/// </summary>
public sealed record UploadGrant(string Bucket, string Key, string Url, DateTimeOffset ExpiresAt, IReadOnlyDictionary<string, string> Headers,
    IReadOnlyList<string> ReadGroups);

/// <summary>What a caller may upload: into which buckets (empty: any the store has), which formats, up to which size, readable by which groups.</summary>
public sealed record UploadTerms(IReadOnlyList<string> Buckets, IReadOnlyList<string> Extensions, long MaxBytes, IReadOnlyList<string> Groups);

/// <summary>
/// Signs uploads into the indexed buckets for callers allowed to upload (<see cref="UploadOptions.Groups"/>, admins).
/// Everything that can be checked before the bytes move is checked here, so a person learns at once, not from a
/// failed document later: the bucket, the key, the format, the declared size, the read groups, an existing object.
/// The bytes go from the client to the store directly; Lode never holds them.
/// </summary>
public sealed class UploadGrants(
    IndexedBuckets buckets,
    IObjectStore store,
    PresignedLinks links,
    ExtractorRegistry formats,
    IOptions<UploadOptions> uploads,
    IOptions<StorageOptions> storage,
    IOptions<DocumentAccessOptions> access,
    DocumentAccessResolver resolver,
    ILogger<UploadGrants> logger)
{
    // S3 keys are at most 1024 bytes of UTF-8.
    private const int MaxKeyBytes = 1024;

    // The registry is fixed at start-up: its extensions, in the order people read them, once.
    private readonly IReadOnlyList<string> _extensions = formats.SupportedExtensions.Order(StringComparer.Ordinal).ToList();

    /// <summary>What this caller may upload.</summary>
    /// <exception cref="UploadRefusedException">The caller may not upload.</exception>
    public UploadTerms TermsFor(Caller caller)
    {
        EnsureMayUpload(caller);
        return new UploadTerms(buckets.Configured, _extensions, storage.Value.MaxObjectBytes, caller.Groups);
    }

    /// <exception cref="UploadRefusedException">The caller may not upload, or the request cannot succeed as sent.</exception>
    public async Task<UploadGrant> GrantAsync(Caller caller, UploadRequest request, CancellationToken ct)
    {
        EnsureMayUpload(caller);
        var key = request.Key ?? "";
        if (KeyProblem(key) is { } keyProblem) throw new UploadRefusedException(UploadRefusedException.InvalidKey, keyProblem);
        if (!formats.TryGetExtractor(key, request.ContentType, out _))
            throw new UploadRefusedException(UploadRefusedException.UnsupportedFormat,
                $"Lode cannot read '{ExtractorRegistry.ExtensionOf(key)}' files; it reads {string.Join(", ", _extensions)}.");
        var maxBytes = storage.Value.MaxObjectBytes;
        if (request.SizeBytes is { } size && (size < 0 || size > maxBytes))
            throw new UploadRefusedException(UploadRefusedException.TooLarge,
                $"The file is {size:N0} bytes; Lode indexes files of at most {maxBytes:N0} bytes (Storage:MaxObjectBytes).");
        var groups = ReadGroups(caller, request.Groups);
        if (await buckets.ProblemWithAsync(request.Bucket, ct) is { } bucketProblem)
            throw new UploadRefusedException(bucketProblem.Code, bucketProblem.Message);
        var bucket = request.Bucket!;
        // An object the caller may not read is answered as if absent (a 409 would tell them it exists), and is never
        // replaced: only an object the caller reads (its groups decided from its metadata now) may be overwritten.
        var existing = await store.StatAsync(bucket, key, ct);
        var readable = existing is not null
            && resolver.GroupsFor(bucket, key, existing.UserMetadata).Intersect(caller.Groups, StringComparer.Ordinal).Any();
        if (readable && !request.Overwrite)
            throw new UploadRefusedException(UploadRefusedException.ObjectExists,
                $"'{key}' already exists in bucket '{bucket}'; ask again with overwrite to replace it.");

        // Always signed, so no upload can carry groups of the uploader's choosing in an unsigned header instead.
        // A declared size is signed as Content-Length: the link then takes exactly that many bytes. The write condition
        // is signed too: the link replaces only the version the caller may read (If-Match), or else only creates
        // (If-None-Match: *), so the store refuses to replace an unreadable object, or one that appeared meanwhile.
        var link = await links.ForWritingAsync(bucket, key,
            new Dictionary<string, string> { [access.Value.MetadataKey] = string.Join(',', groups) }, request.SizeBytes,
            replacesEtag: readable && request.Overwrite ? existing!.Etag : null);
        var headers = new Dictionary<string, string>(link.Headers, StringComparer.OrdinalIgnoreCase);
        if (!string.IsNullOrWhiteSpace(request.ContentType)) headers["Content-Type"] = request.ContentType;
        logger.LogInformation("Upload of {Bucket}/{Key} signed for {Caller} until {ExpiresAt}", bucket, key, caller.Name, link.ExpiresAt);
        return new UploadGrant(bucket, key, link.Url, link.ExpiresAt, headers, groups);
    }

    private void EnsureMayUpload(Caller caller)
    {
        if (!caller.IsAdmin && !caller.Groups.Any(g => uploads.Value.Groups.Contains(g, StringComparer.Ordinal)))
            throw new UploadRefusedException(UploadRefusedException.NotAllowed,
                "Your credentials may not upload documents (Uploads:Groups names who may).");
        // Never signed with the app's reading credential: the store would let such a link copy any object.
        if (!storage.Value.UploadsConfigured)
            throw new UploadRefusedException(UploadRefusedException.NotConfigured,
                "Uploads through Lode are not set up on this site (Storage:UploadAccessKey, a put-only store user).");
    }

    // Names S3 accepts but that would make trouble later: traversal-shaped segments (a tool that mirrors the bucket onto
    // a file system), empty segments, control characters (logs, terminals).
    private static string? KeyProblem(string key)
    {
        if (key.Length == 0) return "key is required: the object's name in the bucket, e.g. policies/leave.pdf.";
        if (Encoding.UTF8.GetByteCount(key) > MaxKeyBytes) return $"key must be at most {MaxKeyBytes} bytes of UTF-8.";
        if (key.Any(char.IsControl)) return "key must not contain control characters.";
        if (key.Split('/').Any(segment => segment is "" or "." or ".."))
            return "key must not start or end with '/', nor contain '//', '.' or '..' segments.";
        return null;
    }

    // A reader may share a document with the groups they are in; an admin (who manages access anyway) with any group.
    // None named: the uploader's own groups.
    private static string[] ReadGroups(Caller caller, IReadOnlyList<string>? requested)
    {
        if (requested is null || requested.Count == 0) requested = caller.Groups;
        // The groups travel as a signed HTTP header (x-amz-meta-...): printable ASCII only.
        if (requested.Any(g => g is null || g.Contains(',') || g.Any(c => c is < ' ' or > '~') || g.Trim().Length > AccessGroups.MaxGroupLength))
            throw new UploadRefusedException(UploadRefusedException.InvalidGroups,
                $"groups must be group names of printable ASCII without commas, at most {AccessGroups.MaxGroupLength} characters each.");
        var groups = AccessGroups.Normalize(requested);
        if (groups.Length == 0)
            throw new UploadRefusedException(UploadRefusedException.InvalidGroups, "Name the groups that may read the document (groups).");
        var foreign = groups.Where(g => !caller.Groups.Contains(g, StringComparer.Ordinal)).ToList();
        if (!caller.IsAdmin && foreign.Count > 0)
            throw new UploadRefusedException(UploadRefusedException.InvalidGroups,
                $"You can only share a document with groups you are in; you are not in {string.Join(", ", foreign)}.");
        return groups;
    }
}
