using Lode.Ingestion.Extraction;
using Lode.Ocr;
using Microsoft.Extensions.Options;

namespace Lode.Tests.Ocr;

/// <summary>Known text for OCR tests, and the real Tesseract engine and PDF extractor configured for them.</summary>
internal static class OcrTestPages
{
    public static readonly string[] Safety =
    [
        "The quarterly fire drill happens on the second Tuesday.",
        "Employees gather at the blue assembly point near gate four.",
        "Visitors must sign the register before entering the plant.",
    ];

    public static readonly string[] Lending =
    [
        "Mortgage applications above the threshold need two signatures.",
        "The credit committee meets every Thursday at nine o'clock.",
        "Collateral valuations older than twelve months are refreshed.",
    ];

    public static readonly string[] Archive =
    [
        "Archived ledgers are kept in the basement vault for ten years.",
        "Retrieval requests go through the records office by email.",
    ];

    public static readonly string[] German =
    [
        "Die Prüfung der Jahresabschlüsse erfolgt durch die Revisionsabteilung.",
        "Größere Überweisungen müssen vom Vorstand genehmigt werden.",
    ];

    public static OcrOptions Options(string languages = "eng", bool enabled = true) =>
        new() { Languages = languages, Enabled = enabled, Dpi = 200, MaxParallelPages = 2, PageTimeoutSeconds = 120 };

    public static TesseractEngine Engine(string languages = "eng") => new(Microsoft.Extensions.Options.Options.Create(Options(languages)));

    public static PdfTextExtractor PdfExtractor(OcrOptions options) =>
        new(new PdfPageOcr(new TesseractEngine(Microsoft.Extensions.Options.Options.Create(options)), Microsoft.Extensions.Options.Options.Create(options)));

    /// <summary>Text with whitespace runs made single spaces, to compare OCR lines with source lines.</summary>
    public static string Flat(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
