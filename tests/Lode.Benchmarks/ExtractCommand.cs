using Lode.Ingestion.Extraction;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Benchmarks;

/// <summary>Shows a person what an extractor makes of a file: the quickest way to judge its output by eye.</summary>
internal static class ExtractCommand
{
    public static int Run(string file, string? contentType)
    {
        var services = new ServiceCollection().AddTextExtraction();
        var extractors = services
            .Where(d => d.ServiceType == typeof(ITextExtractor))
            .Select(d => (ITextExtractor)Activator.CreateInstance(d.ImplementationType!)!);
        var extractor = new ExtractorRegistry(extractors).GetExtractor(Path.GetFileName(file), contentType);

        using var stream = new MemoryStream(File.ReadAllBytes(file));
        var document = extractor.Extract(stream, ExtractionLimits.Default, CancellationToken.None);
        Console.WriteLine($"{extractor.GetType().Name}: {document.PageCount} page(s)");
        foreach (var page in document.Pages)
        {
            Console.WriteLine($"===== page {page.Number} =====");
            Console.WriteLine(page.Text);
        }

        return 0;
    }
}
