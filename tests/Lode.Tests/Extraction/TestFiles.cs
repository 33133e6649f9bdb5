using Lode.Ingestion.Extraction;

namespace Lode.Tests.Extraction;

/// <summary>Opens the real files in TestData/ (see TestData/README.md for how each was made).</summary>
internal static class TestFiles
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    public static MemoryStream Open(string name) => new(File.ReadAllBytes(PathOf(name)), writable: false);

    public static ExtractedDocument Extract(ITextExtractor extractor, string name, ExtractionLimits? limits = null)
    {
        using var stream = Open(name);
        return extractor.Extract(stream, limits ?? ExtractionLimits.Default, CancellationToken.None);
    }

    public static ExtractedDocument Extract(ITextExtractor extractor, byte[] bytes, ExtractionLimits? limits = null)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return extractor.Extract(stream, limits ?? ExtractionLimits.Default, CancellationToken.None);
    }

    public static RejectionReason RejectionOf(Action extract) => Assert.Throws<RejectedDocumentException>(extract).Reason;

    public static string SingleText(ExtractedDocument document)
    {
        var page = Assert.Single(document.Pages);
        Assert.Equal(1, page.Number);
        return page.Text;
    }
}
