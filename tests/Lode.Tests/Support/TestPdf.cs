using System.IO.Compression;
using System.Text;

namespace Lode.Tests.Support;

/// <summary>
/// Writes small, valid PDFs for tests that need shapes no real document has: thousands of pages sharing one content
/// stream (a page bomb), or a content stream that inflates to far more than the file's size (a Flate bomb).
/// </summary>
public static class TestPdf
{
    /// <summary>A PDF of <paramref name="pages"/> pages that all draw <paramref name="content"/> (PDF content operators).</summary>
    /// <param name="compress">Flate-compress the content stream (as almost every real PDF does).</param>
    /// <param name="padding">Bytes of comment before the first object, to move the streams across buffer boundaries.</param>
    public static byte[] Build(int pages, byte[] content, bool compress = true, int padding = 0)
    {
        var output = new MemoryStream();
        var offsets = new List<long>();
        void Write(string text) => output.Write(Encoding.ASCII.GetBytes(text));
        void Object(string body)
        {
            offsets.Add(output.Position);
            Write($"{offsets.Count} 0 obj\n{body}\nendobj\n");
        }

        Write("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n");
        if (padding > 0) Write("%" + new string('x', padding) + "\n");

        const int firstPage = 5;
        var kids = string.Join(' ', Enumerable.Range(firstPage, pages).Select(n => $"{n} 0 R"));
        Object("<< /Type /Catalog /Pages 2 0 R >>");
        Object($"<< /Type /Pages /Count {pages} /Kids [{kids}] >>");
        Object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");

        var data = compress ? Deflate(content) : content;
        offsets.Add(output.Position);
        Write($"4 0 obj\n<< /Length {data.Length}{(compress ? " /Filter /FlateDecode" : "")} >>\nstream\n");
        output.Write(data);
        Write("\nendstream\nendobj\n");

        for (var i = 0; i < pages; i++)
            Object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>");

        var xref = output.Position;
        Write($"xref\n0 {offsets.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets) Write($"{offset:D10} 00000 n \n");
        Write($"trailer\n<< /Size {offsets.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return output.ToArray();
    }

    /// <summary>Content operators that show <paramref name="lines"/> top-down in 11-point Helvetica.</summary>
    public static byte[] TextContent(IEnumerable<string> lines)
    {
        var ops = new StringBuilder("BT /F1 11 Tf 72 740 Td 14 TL\n");
        foreach (var line in lines) ops.Append('(').Append(line.Replace("\\", "\\\\").Replace("(", "\\(").Replace(")", "\\)")).Append(") '\n");
        return Encoding.ASCII.GetBytes(ops.Append("ET\n").ToString());
    }

    private static byte[] Deflate(byte[] data)
    {
        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(data);
        return compressed.ToArray();
    }
}
