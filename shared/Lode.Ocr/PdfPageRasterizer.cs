using System.Globalization;

namespace Lode.Ocr;

/// <summary>
/// Renders one PDF page to a greyscale PNG with poppler's <c>pdftoppm</c> (Debian's <c>poppler-utils</c>), for pages
/// whose text exists only as pixels. The page's size is checked first: a page the size of a football pitch at
/// 300 dpi would be billions of pixels.
/// </summary>
public static class PdfPageRasterizer
{
    public const string Command = "pdftoppm";

    /// <summary>Writes page <paramref name="page"/> of <paramref name="pdfPath"/> to <paramref name="outputBase"/>.png and returns that path.</summary>
    /// <param name="widthPoints">The page's width in points (1/72 inch), for the size check.</param>
    public static async Task<string> RenderAsync(string pdfPath, int page, double widthPoints, double heightPoints, int dpi,
        string outputBase, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pixels = widthPoints / 72 * dpi * (heightPoints / 72 * dpi);
        if (pixels > ImageHeader.MaxPixels)
            throw new OcrFailedException(
                $"The page is {widthPoints / 72:0.#} × {heightPoints / 72:0.#} inches: {pixels:N0} pixels at {dpi} dpi; the limit is {ImageHeader.MaxPixels:N0}.");

        var number = page.ToString(CultureInfo.InvariantCulture);
        var result = await ToolProcess.RunAsync(Command,
            ["-f", number, "-l", number, "-r", dpi.ToString(CultureInfo.InvariantCulture), "-gray", "-png", "-singlefile", pdfPath, outputBase],
            timeout, cancellationToken);
        var image = outputBase + ".png";
        if (result.ExitCode != 0 || !File.Exists(image))
            throw new OcrFailedException($"pdftoppm could not render page {page} (exit {result.ExitCode}): {result.Errors.Trim()}");
        return image;
    }
}
