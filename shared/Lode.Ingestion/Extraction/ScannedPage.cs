using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Tokens;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// Decides whether a PDF page is a scan: its text layer is empty or negligible while images cover most of it. A
/// born-digital page has hundreds of characters, so it never pays for OCR; a scan with a stamped page number or an
/// invisible one-word layer still counts as a scan.
/// </summary>
internal static class ScannedPage
{
    /// <summary>Letters and digits below which a page's own text is negligible.</summary>
    public const int NegligibleCharacters = 20;

    /// <summary>The share of the page that images must cover.</summary>
    public const double MinImageCoverage = 0.5;

    /// <summary>The share of the page one image must cover to stand for the whole page (and be read without rendering).</summary>
    public const double WholePageCoverage = 0.9;

    public static bool HasNegligibleText(IEnumerable<PdfLine> lines) =>
        lines.Sum(l => l.Text.Count(char.IsLetterOrDigit)) < NegligibleCharacters;

    /// <summary>The page's images cover at least <see cref="MinImageCoverage"/> of it (overlaps counted once per image, capped at the page).</summary>
    public static bool IsMostlyImage(Page page, IReadOnlyList<IPdfImage> images) =>
        images.Sum(image => CoveredShare(page, image)) >= MinImageCoverage;

    /// <summary>
    /// The page's single JPEG image when it is the whole page and upright: it is exactly what a renderer would draw,
    /// at its own resolution, so it is read directly.
    /// </summary>
    public static IPdfImage? WholePageJpeg(Page page, IReadOnlyList<IPdfImage> images) =>
        images is [var only] && page.Rotation.Value == 0 && CoveredShare(page, only) >= WholePageCoverage
        && only.ImageDictionary.TryGet<NameToken>(NameToken.Filter, out var filter)
        && filter.Equals(NameToken.DctDecode)
            ? only
            : null;

    private static double CoveredShare(Page page, IPdfImage image)
    {
        var area = page.Width * page.Height;
        if (area <= 0) return 0;
        var bounds = image.BoundingBox;
        var width = Math.Max(0, Math.Min(bounds.Right, page.Width) - Math.Max(bounds.Left, 0));
        var height = Math.Max(0, Math.Min(bounds.Top, page.Height) - Math.Max(bounds.Bottom, 0));
        return Math.Min(1, width * height / area);
    }
}
