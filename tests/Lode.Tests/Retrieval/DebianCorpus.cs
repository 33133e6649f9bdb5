using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Lode.Tests.Retrieval;

/// <summary>One manual shipped in a Debian package: where it is in the package and what it must hash to once unpacked.</summary>
public sealed record CorpusDocument(string Package, string Version, string PathInPackage, string Key, string Sha256);

/// <summary>
/// Real manuals from Debian documentation packages, fetched with <c>apt-get download</c> (pinned versions, so the
/// page numbers of the questions stay valid) and unpacked with <c>dpkg-deb -x</c> into a cache folder:
/// <c>$LODE_CORPUS_DIR</c>, else <c>$LODE_DATA/corpus</c>, else <c>/tmp/lode-corpus</c>. Cached files are checked by
/// SHA-256 and not fetched again. Anything missing (no apt, no package lists, version gone) fails loudly.
/// </summary>
public static class DebianCorpus
{
    public static readonly CorpusDocument[] Documents =
    [
        new("debian-policy", "4.6.2.0", "usr/share/doc/debian-policy/fhs/fhs-3.0.pdf.gz", "debian-policy/fhs-3.0.pdf",
            "53d239e569a2d7b31a74fa09d585368c0f5a164e4624723fa2894660dd10fd23"),
        new("debian-faq", "11.1", "usr/share/doc/debian/FAQ/debian-faq.en.pdf.gz", "debian-faq/debian-faq.en.pdf",
            "ea67ca925863324d97a30b5c926aed95efc687c689aa16788c9bed54525c0b47"),
        new("maint-guide", "1.2.53", "usr/share/doc/maint-guide/maint-guide.en.pdf", "maint-guide/maint-guide.en.pdf",
            "0b94abf28167fb3fe59db3d03f99b5faa50d9f6f696a7864825c5d0378ba27ef"),
        new("gnu-standards", "2022.03.23-0.1", "usr/share/doc/gnu-standards/maintain.pdf.gz", "gnu-standards/maintain.pdf",
            "aebd1a7558d33624f35b350cd9cbc00095501ae4333c4fc8719b325bb5128e2a"),
    ];

    public static string CacheDirectory =>
        Environment.GetEnvironmentVariable("LODE_CORPUS_DIR") is { Length: > 0 } dir ? dir
        : Environment.GetEnvironmentVariable("LODE_DATA") is { Length: > 0 } data ? Path.Combine(data, "corpus")
        : Path.Combine(Path.GetTempPath(), "lode-corpus");

    /// <summary>The local file of every document, fetching what is not cached yet.</summary>
    public static async Task<IReadOnlyDictionary<CorpusDocument, string>> EnsureAsync()
    {
        var files = new Dictionary<CorpusDocument, string>();
        foreach (var document in Documents)
        {
            var target = Path.Combine(CacheDirectory, document.Key);
            if (!File.Exists(target) || await HashAsync(target) != document.Sha256)
                await FetchAsync(document, target);
            files[document] = target;
        }
        return files;
    }

    private static async Task FetchAsync(CorpusDocument document, string target)
    {
        var spec = $"{document.Package}={document.Version}";
        await using var work = await UnpackedPackage.FetchAsync(document.Package, document.Version,
            "quality-questions.json");
        var staged = Path.Combine(work.Directory, "staged");
        await CopyUnpackedAsync(Path.Combine(work.Root, document.PathInPackage), staged);
        var hash = await HashAsync(staged);
        if (hash != document.Sha256)
            throw new InvalidOperationException(
                $"{document.PathInPackage} from {spec} has SHA-256 {hash}, expected {document.Sha256}: the questions' pages may be wrong for it.");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(staged, target, overwrite: true); // atomic: a parallel run sees the old file or the new one
    }

    /// <summary>Copies a file out of an unpacked package, gunzipping it when its name ends in .gz.</summary>
    internal static async Task CopyUnpackedAsync(string source, string destination)
    {
        await using var input = File.OpenRead(source);
        await using var output = File.Create(destination);
        if (source.EndsWith(".gz", StringComparison.Ordinal))
        {
            await using var gunzip = new GZipStream(input, CompressionMode.Decompress);
            await gunzip.CopyToAsync(output);
        }
        else
        {
            await input.CopyToAsync(output);
        }
    }

    internal static async Task RunAsync(string program, string[] arguments, string directory, string failure)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{failure} ({program} cannot be started: {e.Message})", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{failure}\n{program} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await stderr}{await stdout}");
        }
    }

    internal static async Task<string> HashAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
    }
}

/// <summary>
/// One Debian package fetched with <c>apt-get download</c> (pinned version) and unpacked with <c>dpkg-deb -x</c> into a
/// scratch folder under <see cref="DebianCorpus.CacheDirectory"/>; disposing deletes the folder.
/// </summary>
internal sealed class UnpackedPackage : IAsyncDisposable
{
    private UnpackedPackage(string directory) => Directory = directory;

    /// <summary>The scratch folder; callers may stage files in it.</summary>
    public string Directory { get; }

    /// <summary>The package's file tree (the root of its paths, e.g. <c>usr/share/doc/...</c>).</summary>
    public string Root => Path.Combine(Directory, "root");

    /// <param name="questionsFile">Named in the error when the version is gone, so the reader knows what to re-check.</param>
    public static async Task<UnpackedPackage> FetchAsync(string package, string version, string questionsFile)
    {
        var work = new UnpackedPackage(Path.Combine(DebianCorpus.CacheDirectory, ".download-" + Guid.NewGuid().ToString("N")));
        System.IO.Directory.CreateDirectory(work.Directory);
        try
        {
            var spec = $"{package}={version}";
            await DebianCorpus.RunAsync("apt-get", ["download", spec], work.Directory,
                $"Could not download {spec} with apt-get (the retrieval quality tests need Debian's package registry). " +
                "Run 'apt-get update' first; if that version is no longer served, pick the new one and re-check the pages " +
                $"of {questionsFile}.");
            var deb = System.IO.Directory.GetFiles(work.Directory, "*.deb").Single();
            await DebianCorpus.RunAsync("dpkg-deb", ["-x", deb, work.Root], work.Directory, $"dpkg-deb could not unpack {Path.GetFileName(deb)}.");
            return work;
        }
        catch
        {
            await work.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}
