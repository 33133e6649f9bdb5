namespace Lode.Ingestion.Extraction;

/// <summary>
/// Picks the extractor for an object: by the extension of its key first (what the uploader named it is the most
/// reliable hint; S3 content types are often application/octet-stream), then by its content type. Each extractor
/// declares what it reads, so adding a format is registering one more <see cref="ITextExtractor"/>, never editing a
/// switch here.
/// </summary>
public sealed class ExtractorRegistry
{
    private readonly Dictionary<string, ITextExtractor> _byExtension = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ITextExtractor> _byContentType = new(StringComparer.OrdinalIgnoreCase);

    public ExtractorRegistry(IEnumerable<ITextExtractor> extractors)
    {
        foreach (var extractor in extractors)
        {
            foreach (var extension in extractor.Extensions)
            {
                Add(_byExtension, extension, extractor, "extension");
            }

            foreach (var contentType in extractor.ContentTypes)
            {
                Add(_byContentType, contentType, extractor, "content type");
            }
        }
    }

    /// <summary>Every extension the registry knows (lower case, with the dot).</summary>
    public IReadOnlyCollection<string> SupportedExtensions => _byExtension.Keys;

    /// <summary>The extractor for the object, or <see cref="RejectedDocumentException"/> (UnsupportedFormat).</summary>
    public ITextExtractor GetExtractor(string objectKey, string? contentType) =>
        TryGetExtractor(objectKey, contentType, out var extractor)
            ? extractor
            : throw new RejectedDocumentException(
                RejectionReason.UnsupportedFormat,
                $"No text extractor for extension '{ExtensionOf(objectKey)}' or content type " +
                $"'{MediaTypeOf(contentType)}' (object '{objectKey}').");

    public bool TryGetExtractor(string objectKey, string? contentType, out ITextExtractor extractor)
    {
        var extension = ExtensionOf(objectKey);
        if (extension.Length > 0 && _byExtension.TryGetValue(extension, out extractor!))
        {
            return true;
        }

        var mediaType = MediaTypeOf(contentType);
        return _byContentType.TryGetValue(mediaType, out extractor!);
    }

    /// <summary>".pdf" for "reports/2024/Q1.PDF"; "" for "README" or "archive.d/notes".</summary>
    public static string ExtensionOf(string objectKey)
    {
        var name = objectKey[(objectKey.LastIndexOf('/') + 1)..];
        var dot = name.LastIndexOf('.');
        return dot > 0 && dot < name.Length - 1 ? name[dot..].ToLowerInvariant() : "";
    }

    /// <summary>"text/html" for "Text/HTML; charset=utf-8": parameters do not change the format.</summary>
    public static string MediaTypeOf(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return "";
        }

        var semicolon = contentType.IndexOf(';');
        return (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim().ToLowerInvariant();
    }

    private static void Add(Dictionary<string, ITextExtractor> map, string key, ITextExtractor extractor, string what)
    {
        if (map.TryGetValue(key, out var existing) && existing.GetType() != extractor.GetType())
        {
            // Two extractors for one format is a registration mistake; silently picking one would hide it.
            throw new InvalidOperationException(
                $"Both {existing.GetType().Name} and {extractor.GetType().Name} claim the {what} '{key}'.");
        }

        map[key] = extractor;
    }
}
