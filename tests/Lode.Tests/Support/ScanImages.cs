using System.Diagnostics;
using System.Text;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Lode.Tests.Support;

/// <summary>
/// Makes scans for OCR tests from known text: Ghostscript renders the lines (Helvetica, Latin-1, so German too) to a
/// greyscale PNG as a scanner would, ImageMagick turns, degrades and converts images, and PdfPig's builder wraps
/// images (and text) as PDF pages. All three are Debian packages that infra/local/install.sh installs for the tests.
/// </summary>
public static class ScanImages
{
    /// <summary>A US Letter page of <paramref name="lines"/> in 12-point Helvetica, as a greyscale PNG at <paramref name="dpi"/>.</summary>
    public static byte[] Png(IEnumerable<string> lines, int dpi = 200, int pointSize = 12)
    {
        var ps = new StringBuilder("%!PS\n<< /PageSize [612 792] >> setpagedevice\n")
            .Append("/Helvetica findfont dup length dict begin { 1 index /FID ne { def } { pop pop } ifelse } forall ")
            .Append("/Encoding ISOLatin1Encoding def currentdict end /Helvetica-Latin1 exch definefont pop\n")
            .Append($"/Helvetica-Latin1 findfont {pointSize} scalefont setfont\n");
        var y = 720;
        foreach (var line in lines)
        {
            ps.Append($"72 {y} moveto ({Escape(line)}) show\n");
            y -= pointSize * 3 / 2;
        }

        ps.Append("showpage\n");
        return WithFiles((dir, run) =>
        {
            File.WriteAllBytes(Path.Combine(dir, "page.ps"), Encoding.Latin1.GetBytes(ps.ToString()));
            run("gs", ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pnggray", $"-r{dpi}", "-o", "page.png", "page.ps"]);
            return File.ReadAllBytes(Path.Combine(dir, "page.png"));
        });
    }

    /// <summary>ImageMagick: <paramref name="image"/> (<paramref name="from"/>, e.g. "png") through <paramref name="operations"/> to format <paramref name="to"/>.</summary>
    public static byte[] Convert(byte[] image, string from, string to, params string[] operations) =>
        WithFiles((dir, run) =>
        {
            File.WriteAllBytes(Path.Combine(dir, "in." + from), image);
            run("convert", ["in." + from, .. operations, "out." + to]);
            return File.ReadAllBytes(Path.Combine(dir, "out." + to));
        });

    /// <summary>A multi-page TIFF of these PNG pages.</summary>
    public static byte[] Tiff(params byte[][] pngPages) =>
        WithFiles((dir, run) =>
        {
            var names = pngPages.Select((png, i) => { File.WriteAllBytes(Path.Combine(dir, $"p{i}.png"), png); return $"p{i}.png"; }).ToList();
            run("convert", [.. names, "-compress", "lzw", "out.tiff"]);
            return File.ReadAllBytes(Path.Combine(dir, "out.tiff"));
        });

    /// <summary>A PDF page as a scanner writes it: one image filling the page, no text.</summary>
    public static PdfPageSpec ScannedPage(byte[] png) => new(png, null);

    /// <summary>A scanned page of <paramref name="widthPoints"/> × <paramref name="heightPoints"/> (1/72 inch): the image is stretched over it.</summary>
    public static PdfPageSpec ScannedPage(byte[] png, double widthPoints, double heightPoints) => new(png, null, widthPoints, heightPoints);

    /// <summary>A born-digital page: its lines as real text.</summary>
    public static PdfPageSpec TextPage(params string[] lines) => new(null, lines);

    /// <summary>A PDF of these pages, US Letter unless a page says otherwise (PNG images fill their page; JPEGs too, when the bytes are JPEG).</summary>
    public static byte[] Pdf(params PdfPageSpec[] pages)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        foreach (var spec in pages)
        {
            var page = builder.AddPage(spec.WidthPoints, spec.HeightPoints);
            if (spec.Image is { } image)
            {
                var whole = new PdfRectangle(0, 0, spec.WidthPoints, spec.HeightPoints);
                if (image is [0xFF, 0xD8, ..]) page.AddJpeg(image, whole);
                else page.AddPng(image, whole);
            }

            var y = 720;
            foreach (var line in spec.Lines ?? [])
            {
                page.AddText(line, 12, new PdfPoint(72, y), font);
                y -= 18;
            }
        }

        return builder.Build();
    }

    private static string Escape(string line)
    {
        var escaped = new StringBuilder();
        foreach (var c in line)
        {
            if (c is '\\' or '(' or ')') escaped.Append('\\').Append(c);
            else if (c > 126) escaped.Append('\\').Append(System.Convert.ToString(c, 8).PadLeft(3, '0'));
            else escaped.Append(c);
        }

        return escaped.ToString();
    }

    private static T WithFiles<T>(Func<string, Action<string, string[]>, T> work)
    {
        var dir = Directory.CreateTempSubdirectory("lode-scan-test-");
        try
        {
            return work(dir.FullName, (tool, arguments) => Run(dir.FullName, tool, arguments));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static void Run(string directory, string tool, string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { WorkingDirectory = directory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} failed ({process.ExitCode}): {errors.Result}");
    }
}

/// <summary>One page of a test PDF: an image filling it, text lines, or both; US Letter unless sized.</summary>
public sealed record PdfPageSpec(byte[]? Image, string[]? Lines, double WidthPoints = 612, double HeightPoints = 792);
