using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Lode.Tests.Retrieval;

/// <summary>
/// One manual of <c>Retrieval/Manuals/corpus.json</c>: a file in a pinned Debian package (uploaded under
/// <see cref="Key"/>), or a directory of it (an HTML manual with one file per node, uploaded file by file under the
/// key prefix <see cref="Key"/>, which ends in '/').
/// </summary>
public sealed record ManualDocument(
    string Package, string Version, string Path, string Key, string Sha256, IReadOnlyList<string> Include,
    IReadOnlyList<string> Files, int? Pages, string Title, string Kind)
{
    public bool IsDirectory => Key.EndsWith('/');

    /// <summary>The object keys this document puts in the bucket.</summary>
    public IEnumerable<string> ObjectKeys => IsDirectory ? Files.Select(f => Key + f) : [Key];
}

/// <summary>A local file to upload, with its object key and the manual it belongs to.</summary>
public sealed record ManualFile(ManualDocument Document, string Key, string LocalPath);

/// <summary>
/// The manuals of the retrieval question set (<see cref="ManualQuestionSet"/>), fetched like <see cref="DebianCorpus"/>
/// (apt-get download of the pinned version, dpkg-deb -x) into the same cache folder, checked by SHA-256 and not fetched
/// again while the cached copy matches. A directory's SHA-256 is that of the text of its <c>sha256sum</c> lines
/// ("&lt;hash&gt;  &lt;relative path&gt;\n", files with the included extensions, sorted ordinally by relative path),
/// so <c>sha256sum $(ls | LC_ALL=C sort) | sha256sum</c> in the directory gives the same value.
/// </summary>
public static class ManualsCorpus
{
    public static string DataDirectory => System.IO.Path.Combine(AppContext.BaseDirectory, "Retrieval", "Manuals");

    public static IReadOnlyList<ManualDocument> LoadDocuments()
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(System.IO.Path.Combine(DataDirectory, "corpus.json")));
        return json.RootElement.GetProperty("documents").EnumerateArray().Select(d => new ManualDocument(
            d.GetProperty("package").GetString()!,
            d.GetProperty("version").GetString()!,
            d.GetProperty("path").GetString()!,
            d.GetProperty("key").GetString()!,
            d.GetProperty("sha256").GetString()!,
            Strings(d, "include"),
            Strings(d, "files"),
            d.TryGetProperty("pages", out var pages) ? pages.GetInt32() : null,
            d.GetProperty("title").GetString()!,
            d.GetProperty("kind").GetString()!)).ToList();

        static IReadOnlyList<string> Strings(JsonElement d, string name) =>
            d.TryGetProperty(name, out var array) ? array.EnumerateArray().Select(e => e.GetString()!).ToList() : [];
    }

    /// <summary>
    /// The object keys a question's <c>document</c> names: the key itself, or every key that ends with '/' + it (a unique
    /// suffix such as <c>R-admin.pdf</c> or <c>html/EOF.html</c>). A valid reference names exactly one.
    /// </summary>
    public static IReadOnlyList<string> Resolve(IEnumerable<ManualDocument> documents, string document) =>
        documents.SelectMany(d => d.ObjectKeys)
            .Where(key => key == document || key.EndsWith("/" + document, StringComparison.Ordinal))
            .ToList();

    /// <summary>Every file to upload with its object key (directories expanded), fetching what is not cached yet.</summary>
    public static async Task<IReadOnlyList<ManualFile>> EnsureAsync()
    {
        var files = new List<ManualFile>();
        foreach (var document in LoadDocuments())
        {
            var target = System.IO.Path.Combine(DebianCorpus.CacheDirectory, document.Key);
            if (document.IsDirectory)
            {
                if (!Directory.Exists(target) || await HashDirectoryAsync(target, document.Include) != document.Sha256)
                    await FetchDirectoryAsync(document, target);
                files.AddRange(IncludedFiles(target, document.Include)
                    .Select(relative => new ManualFile(document, document.Key + relative, System.IO.Path.Combine(target, relative))));
            }
            else
            {
                if (!File.Exists(target) || await DebianCorpus.HashAsync(target) != document.Sha256)
                    await FetchFileAsync(document, target);
                files.Add(new ManualFile(document, document.Key, target));
            }
        }
        return files;
    }

    /// <summary>Relative paths ('/'-separated) of the files under a directory with one of the extensions, sorted ordinally.</summary>
    public static IReadOnlyList<string> IncludedFiles(string directory, IReadOnlyList<string> include) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => System.IO.Path.GetRelativePath(directory, f).Replace(System.IO.Path.DirectorySeparatorChar, '/'))
            .Where(f => include.Any(extension => f.EndsWith(extension, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static async Task<string> HashDirectoryAsync(string directory, IReadOnlyList<string> include)
    {
        var listing = new StringBuilder();
        foreach (var relative in IncludedFiles(directory, include))
            listing.Append(await DebianCorpus.HashAsync(System.IO.Path.Combine(directory, relative))).Append("  ").Append(relative).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(listing.ToString())));
    }

    private static async Task FetchFileAsync(ManualDocument document, string target)
    {
        await using var package = await UnpackedPackage.FetchAsync(document.Package, document.Version, QuestionsFiles);
        var staged = System.IO.Path.Combine(package.Directory, "staged");
        await DebianCorpus.CopyUnpackedAsync(System.IO.Path.Combine(package.Root, document.Path), staged);
        var hash = await DebianCorpus.HashAsync(staged);
        if (hash != document.Sha256)
            throw Mismatch(document, hash);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        File.Move(staged, target, overwrite: true); // atomic: a parallel run sees the old file or the new one
    }

    private static async Task FetchDirectoryAsync(ManualDocument document, string target)
    {
        await using var package = await UnpackedPackage.FetchAsync(document.Package, document.Version, QuestionsFiles);
        var source = System.IO.Path.Combine(package.Root, document.Path);
        var staged = System.IO.Path.Combine(package.Directory, "staged");
        foreach (var relative in IncludedFiles(source, document.Include))
        {
            var destination = System.IO.Path.Combine(staged, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(destination)!);
            File.Copy(System.IO.Path.Combine(source, relative), destination);
        }
        var hash = await HashDirectoryAsync(staged, document.Include);
        if (hash != document.Sha256)
            throw Mismatch(document, hash);

        // Swap the verified copy in; a stale copy is moved aside first and deleted after (a directory cannot be
        // replaced atomically, but a reader never sees a half-copied tree: the hash check above fails and it re-fetches).
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target.TrimEnd('/'))!);
        var stale = System.IO.Path.Combine(package.Directory, "stale");
        if (Directory.Exists(target))
            Directory.Move(target, stale);
        Directory.Move(staged, target);
    }

    private const string QuestionsFiles = "Retrieval/Manuals/questions.*.jsonl";

    private static InvalidOperationException Mismatch(ManualDocument document, string hash) =>
        new($"{document.Path} from {document.Package}={document.Version} has SHA-256 {hash}, expected {document.Sha256}: " +
            "the pages of the manual questions may be wrong for it.");
}
