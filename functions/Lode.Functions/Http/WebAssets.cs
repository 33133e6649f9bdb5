using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Lode.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Lode.Functions.Http;

/// <summary>
/// The web page's static files, embedded in this assembly (Web/*, logical names <c>web/{file}</c>) so the app serves
/// them itself with no file system or separate server. Only the files listed here are ever served.
/// </summary>
public sealed class WebAssets(IOptions<StorageOptions> storage)
{
    public const string Page = "index.html";

    /// <summary>
    /// The page runs only its own scripts and styles and talks only to this origin and the object store (uploads go
    /// there through presigned PUTs): an injected string can neither run inline script nor send what it read (the API
    /// key in session storage) anywhere else.
    /// </summary>
    public string ContentSecurityPolicy { get; } =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
        $"connect-src 'self' {storage.Value.PublicOrigin.GetLeftPart(UriPartial.Authority)}; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [Page] = "text/html; charset=utf-8",
        ["app.css"] = "text/css; charset=utf-8",
        ["app.js"] = "text/javascript; charset=utf-8",
        ["api.js"] = "text/javascript; charset=utf-8",
        ["chat.js"] = "text/javascript; charset=utf-8",
        ["conversations.js"] = "text/javascript; charset=utf-8",
        ["documents.js"] = "text/javascript; charset=utf-8",
        ["upload.js"] = "text/javascript; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, (byte[] Content, EntityTagHeaderValue Tag)> Files =
        ContentTypes.Keys.ToFrozenDictionary(name => name, Load, StringComparer.Ordinal);

    public static IReadOnlyCollection<string> Names => ContentTypes.Keys;

    /// <summary>The file with its headers, or a 404 for any name not in the list.</summary>
    public IActionResult Serve(HttpRequest request, string file)
    {
        if (!Files.TryGetValue(file, out var asset))
            throw ApiException.NotFound("not_found", "No such file.");

        var headers = request.HttpContext.Response.Headers;
        // Not fingerprinted: revalidate every time (the ETag makes that a 304), so an upgrade is seen at once.
        headers.CacheControl = "no-cache";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        return new FileContentResult(asset.Content, ContentTypes[file]) { EntityTag = asset.Tag };
    }

    private static (byte[], EntityTagHeaderValue) Load(string name)
    {
        using var stream = typeof(WebAssets).Assembly.GetManifestResourceStream("web/" + name)
            ?? throw new InvalidOperationException($"The web asset '{name}' is not embedded in the assembly.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var content = buffer.ToArray();
        return (content, new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..32]}\""));
    }
}
