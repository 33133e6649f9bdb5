using System.IO.Compression;
using System.Text;
using Lode.Tests.Extraction;
using Lode.Tests.Support;

namespace Lode.Tests.Sandbox;

/// <summary>One generated document: its key (the extension picks the extractor), bytes and content type.</summary>
internal sealed record HostileDocument(string Key, byte[] Bytes, string ContentType);

/// <summary>
/// Mutated and generated documents of every format Lode reads — deep nesting, huge attributes, truncated streams,
/// raw-deflate and zip bombs, random byte damage — from a fixed seed, so a failure names a reproducible input.
/// </summary>
internal static class HostileDocuments
{
    public static IReadOnlyList<HostileDocument> Generate(int seed, int mutationsPerFile)
    {
        var random = new Random(seed);
        var documents = new List<HostileDocument>
        {
            new("gen/deep.html", SandboxFixtures.NestedDivs(150_000), "text/html"),
            new("gen/attribute.html", Encoding.UTF8.GetBytes($"<html><body><p title=\"{new string('a', 4 << 20)}\">x</p></body></html>"), "text/html"),
            new("gen/quotes.md", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("> ", 50_000)) + "deep"), "text/markdown"),
            new("gen/lists.md", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 5_000).Select(i => new string(' ', i * 2) + "- item\n"))), "text/markdown"),
            new("gen/brackets.md", Encoding.UTF8.GetBytes(new string('[', 200_000) + "x" + new string(']', 200_000)), "text/markdown"),
            new("gen/deep.json", Encoding.UTF8.GetBytes(new string('[', 300_000) + new string(']', 300_000)), "application/json"),
            new("gen/field.csv", Encoding.UTF8.GetBytes("a,b\n\"" + new string('x', 3 << 20) + "\n"), "text/csv"),
            new("gen/zip-bomb.docx",
                DocxTextExtractorTests.WithExtraEntry(File.ReadAllBytes(TestFiles.PathOf("report.docx")), "word/media/zeros.bin", 256 << 20),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            new("gen/raw-deflate-bomb.pdf", RawDeflateBomb(64 << 20), "application/pdf"),
        };
        foreach (var file in new[] { "handbook-12pages.pdf", "report.docx", "harbour.html", "field-guide.md", "semicolon.csv", "valid.json" })
        {
            var original = File.ReadAllBytes(TestFiles.PathOf(file));
            for (var m = 0; m < mutationsPerFile; m++)
            {
                var (name, bytes) = m % 2 == 0 ? ("flipped", Flip(original, random)) : ("truncated", Truncate(original, random));
                documents.Add(new($"gen/{name}-{m}-{file}", bytes, "application/octet-stream"));
            }
        }
        return documents;
    }

    private static byte[] Flip(byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        var flips = 1 + random.Next(Math.Max(1, bytes.Length / 500));
        for (var i = 0; i < flips; i++) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
        return bytes;
    }

    private static byte[] Truncate(byte[] original, Random random) => original[..random.Next(1, original.Length)];

    /// <summary>
    /// A PDF whose content stream is raw deflate (no zlib header) of <paramref name="inflatedBytes"/> spaces: the same
    /// layout as a zlib stream (the raw body padded to the zlib length, so offsets hold), for inflaters that fall back
    /// to raw deflate when the header is bad.
    /// </summary>
    private static byte[] RawDeflateBomb(int inflatedBytes)
    {
        var content = Encoding.ASCII.GetBytes("%" + new string(' ', inflatedBytes) + "\n");
        var pdf = TestPdf.Build(1, content);
        var zlib = Compress(content, s => new ZLibStream(s, CompressionLevel.Optimal, leaveOpen: true));
        var raw = Compress(content, s => new DeflateStream(s, CompressionLevel.Optimal, leaveOpen: true));
        var at = pdf.AsSpan().IndexOf(zlib);
        if (at < 0 || raw.Length > zlib.Length) return pdf;
        raw.CopyTo(pdf, at);
        Array.Clear(pdf, at + raw.Length, zlib.Length - raw.Length);
        return pdf;
    }

    private static byte[] Compress(byte[] data, Func<Stream, Stream> compressor)
    {
        var output = new MemoryStream();
        using (var stream = compressor(output)) stream.Write(data);
        return output.ToArray();
    }
}
