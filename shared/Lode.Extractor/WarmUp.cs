using Lode.Ingestion.Extraction;

namespace Lode.Extractor;

/// <summary>
/// Runs every extractor once on a tiny built-in document before the child greets, so that loading and compiling the
/// extractors is start-up work, not part of the first real document's time limit (a warm app has it done too).
/// Best effort: a warm-up that fails changes nothing.
/// </summary>
internal static class WarmUp
{
    private const string Pdf = """
        %PDF-1.4
        1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
        2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
        3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >> endobj
        4 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
        5 0 obj << /Length 37 >> stream
        BT /F1 11 Tf 20 100 Td (warm) Tj ET
        endstream endobj
        trailer << /Root 1 0 R >>
        %%EOF
        """;

    private static readonly (string Format, string Content)[] Samples =
    [
        (".pdf", Pdf),
        (".html", "<html><head><title>w</title></head><body><h1>w</h1><p>warm</p></body></html>"),
        (".md", "# w\n\nwarm *up*\n"),
        (".json", "{\"w\": [\"warm\"]}"),
        (".csv", "a,b\nwarm,up\n"),
        (".txt", "warm"),
    ];

    public static void Run(ExtractorRegistry extractors)
    {
        foreach (var (format, content) in Samples)
        {
            try
            {
                using var stream = new MemoryStream(System.Text.Encoding.ASCII.GetBytes(content), writable: false);
                extractors.GetExtractor("warm-up" + format, null).Extract(stream, ExtractionLimits.Default, CancellationToken.None);
            }
            catch (Exception)
            {
                // Best effort only.
            }
        }
    }
}
