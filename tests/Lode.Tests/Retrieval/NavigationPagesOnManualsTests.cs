using Lode.Ingestion.Extraction;

namespace Lode.Tests.Retrieval;

/// <summary>
/// Navigation-page detection on every page of nine real manuals (the pinned Debian PDFs of both question sets, 1,208
/// pages): exactly the pages listed here are flagged. Each list was checked by reading the pages (pdftotext): tables of
/// contents, lists of tables and indexes. No page of prose is flagged; the few navigation pages missed are the short
/// tails of tables of contents (fewer than six entries), which is the price of never hiding prose.
/// </summary>
public sealed class NavigationPagesOnManualsTests
{
    public static TheoryData<string, int[]> Manuals => new()
    {
        { "bash-doc/bashref.pdf", [3, 4, 5, 6, .. Range(188, 196)] },
        { "gnuplot-doc/gnuplot.pdf", [.. Range(2, 19), .. Range(304, 311)] },
        // 5-16 contents, 18-22 list of tables; 17 ends the contents with three entries.
        { "debian-reference-en/debian-reference.en.pdf", [.. Range(5, 16), .. Range(18, 22)] },
        { "developers-reference/developers-reference.pdf", [.. Range(3, 8)] },
        { "r-doc-pdf/R-admin.pdf", [3, 4, 5, 83, 84, 85] },
        { "debian-policy/fhs-3.0.pdf", [4, 5, 6] },
        { "debian-faq/debian-faq.en.pdf", [3, 4, 5, 6, 73] },
        { "maint-guide/maint-guide.en.pdf", [4, 5, 6] },
        { "gnu-standards/maintain.pdf", [3, 4, 5, 53, 54, 55] },
    };

    private static IEnumerable<int> Range(int first, int last) => Enumerable.Range(first, last - first + 1);

    [Theory]
    [MemberData(nameof(Manuals))]
    public async Task Exactly_the_contents_lists_and_index_pages_are_navigation(string key, int[] expected)
    {
        var path = await LocalFileAsync(key);
        await using var stream = File.OpenRead(path);

        var document = new PdfTextExtractor().Extract(stream, ExtractionLimits.Default, CancellationToken.None);

        Assert.Equal(expected, document.Pages.Where(p => p.IsNavigation).Select(p => p.Number));
    }

    private static async Task<string> LocalFileAsync(string key)
    {
        if (DebianCorpus.Documents.FirstOrDefault(d => d.Key == key) is not null)
            return (await DebianCorpus.EnsureAsync()).Single(f => f.Key.Key == key).Value;
        return (await ManualsCorpus.EnsureAsync()).Single(f => f.Key == key).LocalPath;
    }
}
