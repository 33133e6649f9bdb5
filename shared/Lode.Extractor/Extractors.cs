using System.Text.Json;
using Lode.Ingestion.Extraction;
using Lode.Ocr;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lode.Extractor;

/// <summary>
/// The same extractors the app registers (<c>AddTextExtraction</c>), so both sides agree on every format, built with the
/// app's OCR settings (<see cref="OcrVariable"/>): scanned pages are read here, under the child's limits, which the
/// Tesseract and pdftoppm processes it starts inherit.
/// </summary>
internal static class Extractors
{
    /// <summary>The app's <see cref="OcrOptions"/> as JSON; absent: the defaults.</summary>
    public const string OcrVariable = "LODE_EXTRACTOR_OCR";

    public static IEnumerable<ITextExtractor> All()
    {
        var ocr = Options.Create(ReadOcrOptions());
        var engine = new TesseractEngine(ocr);
        var services = new Services(ocr, engine, new PdfPageOcr(engine, ocr));
        return new ServiceCollection().AddTextExtraction()
            .Where(d => d.ServiceType == typeof(ITextExtractor))
            .Select(d => (ITextExtractor)ActivatorUtilities.CreateInstance(services, d.ImplementationType!))
            .ToList();
    }

    private static OcrOptions ReadOcrOptions() =>
        Environment.GetEnvironmentVariable(OcrVariable) is { Length: > 0 } json
            ? JsonSerializer.Deserialize<OcrOptions>(json) ?? new OcrOptions()
            : new OcrOptions();

    /// <summary>The few shared pieces the extractors' constructors ask for; a logger is optional and left out.</summary>
    private sealed class Services(params object[] instances) : IServiceProvider
    {
        public object? GetService(Type serviceType) => instances.FirstOrDefault(serviceType.IsInstanceOfType);
    }
}
