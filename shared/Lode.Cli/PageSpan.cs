namespace Lode.Cli;

/// <summary>Where a passage is, in words: "docs/handbook.pdf, page 3" or "docs/handbook.pdf, pages 3-4".</summary>
public static class PageSpan
{
    public static string Describe(string bucket, string key, int page, int pageEnd) =>
        $"{bucket}/{key}, {(pageEnd > page ? $"pages {page}-{pageEnd}" : $"page {page}")}";
}
