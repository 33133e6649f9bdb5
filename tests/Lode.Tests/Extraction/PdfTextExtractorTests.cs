using Lode.Ingestion.Extraction;

namespace Lode.Tests.Extraction;

public sealed class PdfTextExtractorTests
{
    private readonly PdfTextExtractor _extractor = new();

    [Fact]
    public void Extracts_each_physical_page_with_its_own_words()
    {
        var document = TestFiles.Extract(_extractor, "manual-4pages.pdf");

        Assert.Equal([1, 2, 3, 4], document.Pages.Select(p => p.Number));
        Assert.Contains("aardvarks", document.Pages[0].Text);
        Assert.Contains("bramble, buttercup, and bicycle", document.Pages[1].Text);
        Assert.Contains("cathedral", document.Pages[2].Text);
        Assert.Contains("dromedary", document.Pages[3].Text);
        Assert.DoesNotContain("aardvarks", document.Pages[1].Text);
    }

    [Fact]
    public void Keeps_the_spaces_between_words()
    {
        var page = TestFiles.Extract(_extractor, "manual-4pages.pdf").Pages[0].Text;

        Assert.Contains("The quick brown fox jumps over the lazy dog.", page);
    }

    [Fact]
    public void Separates_words_of_a_tightly_set_line_without_splitting_kerned_words()
    {
        // PdfPig's ContentOrderTextExtractor returns "Tightlysetwords" here (a 0.18 em gap, as in justified TeX text).
        var text = TestFiles.SingleText(TestFiles.Extract(_extractor, "spacing.pdf"));

        Assert.Contains("Tightly set words", text);
        Assert.Contains("Kerned word", text);
    }

    [Fact]
    public void Separates_words_of_rotated_text()
    {
        var text = TestFiles.SingleText(TestFiles.Extract(_extractor, "spacing.pdf"));

        Assert.Contains("Rotated words stay apart", text);
    }

    [Fact]
    public void Rejoins_a_word_hyphenated_across_a_line_end_but_not_before_a_capital()
    {
        var page = TestFiles.Extract(_extractor, "manual-4pages.pdf").Pages[0].Text;

        Assert.Contains("Cooperation between international partners improves results.", page);
        Assert.DoesNotContain("inter-", page);
        Assert.Contains("well-\nKnown proper names", page);
    }

    [Fact]
    public void Drops_running_headers_and_footers()
    {
        var document = TestFiles.Extract(_extractor, "manual-4pages.pdf");

        Assert.All(document.Pages, page =>
        {
            Assert.DoesNotContain("Lode Sample Manual", page.Text);
            Assert.DoesNotContain("Confidential", page.Text);
            Assert.DoesNotContain($"Page {page.Number}", page.Text);
        });
        Assert.StartsWith("Page two describes", document.Pages[1].Text);
    }

    [Fact]
    public void Normalises_whitespace()
    {
        var document = TestFiles.Extract(_extractor, "manual-4pages.pdf");

        Assert.All(document.Pages, page =>
        {
            Assert.DoesNotContain("  ", page.Text);
            Assert.DoesNotContain("\r", page.Text);
            Assert.Equal(page.Text.Trim(), page.Text);
        });
    }

    [Fact]
    public void Reads_a_pdf_encrypted_with_only_an_owner_password()
    {
        // Permission-only encryption (empty user password) is common and readable by anyone.
        var document = TestFiles.Extract(_extractor, "encrypted-owner-only.pdf");

        Assert.Contains("barometer", document.Pages[1].Text);
    }

    [Fact]
    public void Rejects_a_pdf_that_needs_a_password_as_encrypted()
    {
        var reason = TestFiles.RejectionOf(() => TestFiles.Extract(_extractor, "encrypted-user-password.pdf"));

        Assert.Equal(RejectionReason.Encrypted, reason);
    }

    [Theory]
    [InlineData("corrupt-truncated.pdf")]
    [InlineData("corrupt-garbage.pdf")]
    [InlineData("harbour.html")]
    public void Rejects_a_damaged_or_foreign_file_as_corrupt(string name)
    {
        Assert.Equal(RejectionReason.Corrupt, TestFiles.RejectionOf(() => TestFiles.Extract(_extractor, name)));
    }

    [Fact]
    public void Rejects_more_pages_than_the_limit_before_reading_them()
    {
        var limits = ExtractionLimits.Default with { MaxPages = 3 };

        var reason = TestFiles.RejectionOf(() => TestFiles.Extract(_extractor, "manual-4pages.pdf", limits));

        Assert.Equal(RejectionReason.TooManyPages, reason);
    }

    [Fact]
    public void Rejects_more_text_than_the_limit()
    {
        var limits = ExtractionLimits.Default with { MaxTextChars = 200 };

        var reason = TestFiles.RejectionOf(() => TestFiles.Extract(_extractor, "manual-4pages.pdf", limits));

        Assert.Equal(RejectionReason.TooLarge, reason);
    }

    [Fact]
    public void Stops_when_the_time_limit_cancels_the_token()
    {
        using var stream = TestFiles.Open("manual-4pages.pdf");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(
            () => _extractor.Extract(stream, ExtractionLimits.Default, cancelled.Token));
    }
}
