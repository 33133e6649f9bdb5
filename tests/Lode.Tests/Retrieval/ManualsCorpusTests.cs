using UglyToad.PdfPig;

namespace Lode.Tests.Retrieval;

/// <summary>
/// Fetches the manuals of corpus.json from Debian's registry (apt-get download, once; later runs use the cache) and
/// checks that every file is there with its pinned hash, that every PDF has the page count the questions were checked
/// against, and that every question's object is among the files to upload.
/// </summary>
public sealed class ManualsCorpusTests
{
    [Fact]
    public async Task EnsureAsync_returns_every_manual_file_with_its_pinned_hash_and_page_count()
    {
        var files = await ManualsCorpus.EnsureAsync();
        var documents = ManualsCorpus.LoadDocuments();

        foreach (var document in documents)
        {
            var mine = files.Where(f => f.Document.Key == document.Key).ToList();
            if (document.IsDirectory)
            {
                Assert.Equal(document.ObjectKeys.Order(StringComparer.Ordinal), mine.Select(f => f.Key).Order(StringComparer.Ordinal));
                var directory = Path.GetDirectoryName(mine[0].LocalPath)!;
                Assert.Equal(document.Sha256, await ManualsCorpus.HashDirectoryAsync(directory, document.Include));
            }
            else
            {
                var file = Assert.Single(mine);
                Assert.Equal(document.Key, file.Key);
                Assert.Equal(document.Sha256, await DebianCorpus.HashAsync(file.LocalPath));
                using var pdf = PdfDocument.Open(file.LocalPath);
                Assert.Equal(document.Pages, pdf.NumberOfPages);
            }
        }

        var keys = files.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(files.Count, keys.Count);
        Assert.All(ManualQuestionSet.Tune.Concat(ManualQuestionSet.Check),
            q => Assert.Contains(ManualsCorpus.Resolve(documents, q.Document).Single(), keys));

        // A second call finds everything cached and verified.
        var again = await ManualsCorpus.EnsureAsync();
        Assert.Equal(files.Select(f => (f.Key, f.LocalPath)), again.Select(f => (f.Key, f.LocalPath)));
    }
}
