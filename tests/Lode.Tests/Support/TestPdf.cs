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
    /// <param name="brokenZlibHeader">Overwrite the compressed stream's two zlib header bytes with zeros (not a valid
    /// header; the raw deflate data after it is intact).</param>
    /// <param name="flateStages">How many times the content is Flate-compressed, each named in the /Filter array.</param>
    /// <param name="encryption">Encrypt the content stream and name the handler in the trailer.</param>
    /// <param name="codec">LZW or RunLength instead of Flate (one stage; <paramref name="flateStages"/> and
    /// <paramref name="brokenZlibHeader"/> apply to Flate only).</param>
    public static byte[] Build(int pages, byte[] content, bool compress = true, int padding = 0, bool brokenZlibHeader = false,
        int flateStages = 1, TestPdfEncryption? encryption = null, TestPdfCodec codec = TestPdfCodec.Flate)
    {
        var pdf = new Writer(padding);
        const int firstPage = 5;
        var kids = string.Join(' ', Enumerable.Range(firstPage, pages).Select(n => $"{n} 0 R"));
        pdf.Object("<< /Type /Catalog /Pages 2 0 R >>");
        pdf.Object($"<< /Type /Pages /Count {pages} /Kids [{kids}] >>");
        pdf.Object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        var data = content;
        for (var stage = 0; compress && codec == TestPdfCodec.Flate && stage < flateStages; stage++) data = Deflate(data);
        if (compress && brokenZlibHeader) data[0] = data[1] = 0;
        var filter = !compress ? "" : flateStages == 1 ? " /Filter /FlateDecode" : $" /Filter [{string.Join(' ', Enumerable.Repeat("/FlateDecode", flateStages))}]";
        if (compress && codec != TestPdfCodec.Flate)
        {
            data = codec == TestPdfCodec.Lzw ? TestPdfCodecs.Lzw(content) : TestPdfCodecs.RunLength(content);
            filter = codec == TestPdfCodec.Lzw ? " /Filter /LZWDecode" : " /Filter /RunLengthDecode";
        }
        if (encryption is not null) data = encryption.Encrypt(data);
        pdf.Stream($"<< /Length {data.Length}{filter} >>", data);
        for (var i = 0; i < pages; i++)
            pdf.Object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>");
        if (encryption is null) return pdf.Finish();
        pdf.Object(encryption.Dictionary);
        return pdf.Finish($" /Encrypt {firstPage + pages} 0 R /ID [<4C6F6465456E63727970746564504446> <4C6F6465456E63727970746564504446>]");
    }

    /// <summary>
    /// A PDF of exactly these objects (numbered from 1; object 1 must be the catalog), for shapes a hostile author
    /// writes by hand: outlines that loop, dictionaries of the wrong type.
    /// </summary>
    public static byte[] FromObjects(params string[] objects)
    {
        var pdf = new Writer(padding: 0);
        foreach (var body in objects) pdf.Object(body);
        return pdf.Finish();
    }

    /// <summary>Writes numbered objects in order, then the cross-reference table and trailer.</summary>
    private sealed class Writer
    {
        private readonly MemoryStream _output = new();
        private readonly List<long> _offsets = [];

        public Writer(int padding)
        {
            Write("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n");
            if (padding > 0) Write("%" + new string('x', padding) + "\n");
        }

        public void Object(string body)
        {
            _offsets.Add(_output.Position);
            Write($"{_offsets.Count} 0 obj\n{body}\nendobj\n");
        }

        public void Stream(string dictionary, byte[] data)
        {
            _offsets.Add(_output.Position);
            Write($"{_offsets.Count} 0 obj\n{dictionary}\nstream\n");
            _output.Write(data);
            Write("\nendstream\nendobj\n");
        }

        /// <param name="trailer">More trailer entries (an /Encrypt reference, the file identifier).</param>
        public byte[] Finish(string trailer = "")
        {
            var xref = _output.Position;
            Write($"xref\n0 {_offsets.Count + 1}\n0000000000 65535 f \n");
            foreach (var offset in _offsets) Write($"{offset:D10} 00000 n \n");
            Write($"trailer\n<< /Size {_offsets.Count + 1} /Root 1 0 R{trailer} >>\nstartxref\n{xref}\n%%EOF\n");
            return _output.ToArray();
        }

        private void Write(string text) => _output.Write(Encoding.ASCII.GetBytes(text));
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
