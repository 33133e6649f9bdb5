using Lode.Ingestion.Extraction;
using Microsoft.Extensions.DependencyInjection.Extensions;

// In the DI namespace so that `services.AddTextExtraction()` is found without another using, like the framework's own.
namespace Microsoft.Extensions.DependencyInjection;

public static class ExtractionServiceCollectionExtensions
{
    /// <summary>
    /// Registers every built-in <see cref="ITextExtractor"/> and the <see cref="ExtractorRegistry"/> that chooses
    /// among them. Extractors are stateless, so singletons. Safe to call twice; another format is added with
    /// <c>services.TryAddEnumerable(ServiceDescriptor.Singleton&lt;ITextExtractor, MyExtractor&gt;())</c>.
    /// </summary>
    public static IServiceCollection AddTextExtraction(this IServiceCollection services)
    {
        // Scanned pages are read by OCR inside extraction, so wherever extraction runs, OCR runs with its limits.
        services.AddOcr();
        services.TryAddSingleton<PdfPageOcr>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITextExtractor, PdfTextExtractor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITextExtractor, DocxTextExtractor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITextExtractor, HtmlTextExtractor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITextExtractor, MarkdownTextExtractor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITextExtractor, PlainTextExtractor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITextExtractor, CsvTextExtractor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITextExtractor, JsonTextExtractor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITextExtractor, ImageTextExtractor>());
        services.TryAddSingleton<ExtractorRegistry>();
        return services;
    }
}
