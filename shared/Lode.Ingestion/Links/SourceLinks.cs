using Lode.Database;
using Lode.Ingestion.Extraction;
using Lode.Access;
using Lode.Identity;
using Lode.Storage;

namespace Lode.Ingestion.Links;

/// <summary>A short-lived link that opens a cited document, at the cited page for PDFs.</summary>
public sealed record SourceLink(string Bucket, string Key, int? Page, string Url, DateTimeOffset ExpiresAt);

/// <summary>
/// Opens the documents citations point at: a presigned GET of the object, only for a caller whose groups may read the
/// document (admins too read only through their own groups, as in search), so a link is never a way around the read
/// groups. PDFs get <c>#page=N</c> (browsers' PDF viewers open that page) and are shown inline. Other formats are
/// plain text shown inline, or downloaded: an HTML or SVG document shown by the browser would run its scripts with
/// the store's origin.
/// A link opens whatever object is at the key when the browser fetches it, so the indexed version's groups are not
/// enough: the object is stat'ed when the link is asked for, its groups are decided again from its metadata now, and
/// its etag must be the indexed one (an object replaced since — another document the caller may never have been
/// granted — gets no link until it is indexed itself). A document that is not indexed (pending, failed) gets none.
/// </summary>
public sealed class SourceLinks(DocumentRepository documents, PresignedLinks links, IObjectStore store, DocumentAccessResolver access)
{
    private static readonly ResponsePresentation Pdf = new("application/pdf", "inline");
    private static readonly ResponsePresentation PlainText = new("text/plain; charset=utf-8", "inline");
    private static readonly HashSet<string> PlainTextExtensions = new(StringComparer.Ordinal) { ".txt", ".md", ".markdown", ".csv", ".json", ".log" };

    /// <summary>The link, or null when no document by that name is readable by the caller (as if it did not exist).</summary>
    public async Task<SourceLink?> OpenAsync(Caller caller, string bucket, string key, int? page, CancellationToken ct)
    {
        var document = await documents.GetAsync(bucket, key, caller.Groups, ct);
        if (document is not { Status: DocumentStatus.Indexed, Etag: { Length: > 0 } indexedEtag }) return null;
        var current = await store.StatAsync(bucket, key, ct);
        if (current is null || !string.Equals(current.Etag, indexedEtag, StringComparison.Ordinal)) return null;
        if (!access.GroupsFor(bucket, key, current.UserMetadata).Intersect(caller.Groups, StringComparer.Ordinal).Any()) return null;

        var isPdf = ExtractorRegistry.ExtensionOf(key) == ".pdf" || ExtractorRegistry.MediaTypeOf(document.ContentType) == "application/pdf";
        var link = await links.ForReadingAsync(bucket, key, isPdf ? Pdf : PresentationOf(key));
        // A page the document does not have (a stale citation of a shorter new version) opens the first page.
        int? openedPage = isPdf && page is >= 1 && (document.Pages is null || page <= document.Pages) ? page : null;
        var url = openedPage is { } p ? $"{link.Url}#page={p}" : link.Url;
        return new SourceLink(bucket, key, openedPage, url, link.ExpiresAt);
    }

    private static ResponsePresentation PresentationOf(string key) =>
        PlainTextExtensions.Contains(ExtractorRegistry.ExtensionOf(key))
            ? PlainText
            : new ResponsePresentation("application/octet-stream", AttachmentDisposition(key));

    // RFC 6266: an ASCII fallback name and the exact name in RFC 5987 encoding.
    private static string AttachmentDisposition(string key)
    {
        var name = key[(key.LastIndexOf('/') + 1)..];
        var ascii = new string(name.Select(c => c is >= ' ' and < (char)127 and not '"' and not '\\' ? c : '_').ToArray());
        return $"attachment; filename=\"{ascii}\"; filename*=UTF-8''{Uri.EscapeDataString(name)}";
    }
}
