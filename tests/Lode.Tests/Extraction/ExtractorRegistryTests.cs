using Lode.Ingestion.Extraction;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Tests.Extraction;

public sealed class ExtractorRegistryTests
{
    private readonly ExtractorRegistry _registry = new(
    [
        new PdfTextExtractor(), new DocxTextExtractor(), new HtmlTextExtractor(), new MarkdownTextExtractor(),
        new PlainTextExtractor(), new CsvTextExtractor(), new JsonTextExtractor(),
    ]);

    [Theory]
    [InlineData("reports/2024/Q1.PDF", typeof(PdfTextExtractor))]
    [InlineData("a/b/notes.md", typeof(MarkdownTextExtractor))]
    [InlineData("site/index.htm", typeof(HtmlTextExtractor))]
    [InlineData("letters/offer.docx", typeof(DocxTextExtractor))]
    [InlineData("logs/app.log", typeof(PlainTextExtractor))]
    [InlineData("data/export.csv", typeof(CsvTextExtractor))]
    [InlineData("data/config.json", typeof(JsonTextExtractor))]
    public void Chooses_by_extension_whatever_the_content_type(string key, Type expected)
    {
        Assert.IsType(expected, _registry.GetExtractor(key, "application/octet-stream"));
    }

    [Theory]
    [InlineData("uploads/8f3a", "text/html; charset=utf-8", typeof(HtmlTextExtractor))]
    [InlineData("uploads/8f3a", "Application/PDF", typeof(PdfTextExtractor))]
    [InlineData("folder.v2/README", "text/markdown", typeof(MarkdownTextExtractor))]
    [InlineData("scan.unknownext", "text/plain", typeof(PlainTextExtractor))]
    public void Falls_back_to_the_content_type_without_its_parameters(string key, string contentType, Type expected)
    {
        Assert.IsType(expected, _registry.GetExtractor(key, contentType));
    }

    [Fact]
    public void The_extension_wins_over_a_conflicting_content_type()
    {
        Assert.IsType<PdfTextExtractor>(_registry.GetExtractor("doc.pdf", "text/plain"));
    }

    [Fact]
    public void An_unknown_format_is_rejected_with_a_message_naming_it()
    {
        var error = Assert.Throws<RejectedDocumentException>(() => _registry.GetExtractor("photos/cat.webp", "image/webp"));

        Assert.Equal(RejectionReason.UnsupportedFormat, error.Reason);
        Assert.Contains(".webp", error.Message);
        Assert.Contains("image/webp", error.Message);
    }

    [Fact]
    public void Two_extractors_claiming_one_format_is_a_configuration_error()
    {
        Assert.Throws<InvalidOperationException>(() => new ExtractorRegistry([new PlainTextExtractor(), new SecondTextExtractor()]));
    }

    [Fact]
    public void AddTextExtraction_registers_every_extractor_once_and_the_registry()
    {
        var services = new ServiceCollection().AddTextExtraction().AddTextExtraction();

        Assert.Equal(8, services.Count(d => d.ServiceType == typeof(ITextExtractor)));
        var extractors = services.BuildServiceProvider().GetServices<ITextExtractor>().ToList();
        Assert.Single(services, d => d.ServiceType == typeof(ExtractorRegistry) && d.Lifetime == ServiceLifetime.Singleton);
        var registry = new ExtractorRegistry(extractors);
        Assert.Equal(
            [".csv", ".docx", ".htm", ".html", ".jpeg", ".jpg", ".json", ".log", ".markdown", ".md", ".pdf", ".png", ".text", ".tif", ".tiff", ".tsv", ".txt", ".xhtml"],
            registry.SupportedExtensions.Order());
    }

    private sealed class SecondTextExtractor : ITextExtractor
    {
        public IReadOnlyCollection<string> Extensions { get; } = [".txt"];

        public IReadOnlyCollection<string> ContentTypes { get; } = [];

        public ExtractedDocument Extract(Stream content, ExtractionLimits limits, CancellationToken cancellationToken) =>
            ExtractedDocument.SinglePage("");
    }
}
