using Lode.Ingestion.Extraction;

namespace Lode.Tests.Extraction;

public sealed class PdfLineCleanupTests
{
    [Theory]
    [InlineData(new[] { "an inter-", "national deal" }, "an international deal\n")]
    [InlineData(new[] { "a well-", "Known name" }, "a well-\nKnown name\n")]
    [InlineData(new[] { "in 2023-", "2024 we" }, "in 2023-\n2024 we\n")]
    [InlineData(new[] { "a list -", "item" }, "a list -\nitem\n")]
    [InlineData(new[] { "multi-", "ple hy-", "phens" }, "multiple hyphens\n")]
    [InlineData(new[] { "soft\u00AD", "hyphen" }, "softhyphen\n")]
    public void Dehyphenator_joins_only_lower_case_continuations(string[] lines, string expected)
    {
        Assert.Equal(expected, Dehyphenator.Join(lines));
    }

    [Fact]
    public void Running_lines_on_most_pages_are_removed_even_with_changing_page_numbers()
    {
        var pages = Enumerable.Range(1, 6)
            .Select(n => new List<string> { "ACME Corp  Internal", $"Body text {(char)('a' + n)}", $"more body {(char)('a' + n)}", $"Page {n} of 6" })
            .ToList();

        RunningLineFilter.RemoveRunningLines(pages);

        Assert.All(pages, lines => Assert.Equal(2, lines.Count));
        Assert.Equal(["Body text d", "more body d"], pages[2]);
    }

    [Fact]
    public void Lines_repeated_on_only_a_few_pages_or_in_the_middle_stay()
    {
        var pages = Enumerable.Range(1, 8)
            .Select(n => new List<string>
            {
                n <= 3 ? "Chapter 1: Introduction" : "Chapter 2: Methods",
                "first line " + (char)('a' + n),
                "Repeated middle line",
                "another line",
                "last line differs " + new string('x', n),
            })
            .ToList();

        RunningLineFilter.RemoveRunningLines(pages);

        Assert.Equal("Chapter 1: Introduction", pages[0][0]);
        Assert.All(pages, lines => Assert.Contains("Repeated middle line", lines));

        // "Chapter 2: Methods" opens 5 of 8 pages: that is most pages, so it counts as a running header.
        Assert.Equal("first line g", pages[5][0]);
    }

    [Fact]
    public void Short_documents_are_left_alone()
    {
        var pages = new List<List<string>> { new() { "Same", "a" }, new() { "Same", "b" } };

        RunningLineFilter.RemoveRunningLines(pages);

        Assert.Equal("Same", pages[1][0]);
    }
}
