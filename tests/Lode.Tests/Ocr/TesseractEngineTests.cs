using Lode.Ocr;
using Lode.Tests.Support;

namespace Lode.Tests.Ocr;

/// <summary>The Tesseract engine on pages rendered from known text: reading, orientation, languages, limits.</summary>
public sealed class TesseractEngineTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("lode-ocr-engine-test-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Reads_a_rendered_page_line_by_line_with_high_confidence()
    {
        var pages = await OcrTestPages.Engine().RecognizeAsync(Save("page.png", ScanImages.Png(OcrTestPages.Safety)), 200, Generous, default);

        var page = Assert.Single(pages);
        Assert.Equal(1, page.Number);
        Assert.Equal(OcrTestPages.Safety, page.Lines.Select(l => l.Text));
        Assert.InRange(page.MeanConfidence!.Value, 85, 100);
    }

    [Theory]
    [InlineData(90)]
    [InlineData(180)]
    [InlineData(270)]
    public async Task Turns_a_rotated_page_before_reading_it(int degrees)
    {
        var rotated = ScanImages.Convert(ScanImages.Png(OcrTestPages.Safety), "png", "png", "-rotate", degrees.ToString());

        var pages = await OcrTestPages.Engine().RecognizeAsync(Save("rotated.png", rotated), 200, Generous, default);

        Assert.Contains("blue assembly point near gate four", Assert.Single(pages).Text);
    }

    [Fact]
    public async Task Reads_German_umlauts_with_eng_plus_deu()
    {
        var pages = await OcrTestPages.Engine("eng+deu").RecognizeAsync(Save("de.png", ScanImages.Png(OcrTestPages.German)), 200, Generous, default);

        var text = Assert.Single(pages).Text;
        Assert.Contains("Prüfung der Jahresabschlüsse", text);
        Assert.Contains("Größere Überweisungen", text);
    }

    [Fact]
    public async Task Refuses_an_image_of_huge_dimensions_from_its_header_before_decoding_it()
    {
        // A PNG whose header claims 40,000 × 40,000 pixels: 1.6 billion pixels that a decoder would allocate.
        var png = ScanImages.Png(["tiny"]);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 40_000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 40_000);

        var failure = await Assert.ThrowsAsync<OcrFailedException>(() =>
            OcrTestPages.Engine().RecognizeAsync(Save("huge.png", png), null, Generous, default));

        Assert.Contains("40,000 × 40,000 pixels", failure.Message);
    }

    [Fact]
    public async Task Refuses_an_image_in_a_format_whose_size_it_does_not_read_before_decoding_it()
    {
        // A kilobyte PNM named like a PNG (as an upload may be) claiming 40,000 × 40,000 pixels: Tesseract's image
        // library recognises the format by its bytes, and allocated 1.6 GB for it before failing.
        var pnm = System.Text.Encoding.ASCII.GetBytes("P5\n40000 40000\n255\n").Concat(new byte[1024]).ToArray();

        var failure = await Assert.ThrowsAsync<OcrFailedException>(() =>
            OcrTestPages.Engine().RecognizeAsync(Save("scan.png", pnm), null, Generous, default));

        Assert.Contains("not a PNG, JPEG or TIFF", failure.Message);
    }

    // libtiff (checked with ImageMagick's identify) reads both shapes as 40,000 pixels wide; the header check read 100.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Refuses_a_TIFF_whose_width_libtiff_reads_as_huge_however_the_tag_is_written(bool widthAsLong8)
    {
        var tiff = HugeTiff(widthAsLong8);

        Assert.Equal([(40_000, 40_000)], ImageHeader.Dimensions(new MemoryStream(tiff)));
        var failure = await Assert.ThrowsAsync<OcrFailedException>(() =>
            OcrTestPages.Engine().RecognizeAsync(Save("scan.tif", tiff), null, Generous, default));
        Assert.Contains("40,000 × 40,000 pixels", failure.Message);
    }

    /// <summary>
    /// A one-kilobyte grey TIFF of 40,000 × 40,000 pixels whose width is written either twice (40,000 first, which
    /// libtiff keeps, then 100) or once as a LONG8 stored at an offset (the entry's value field holds the offset, 300).
    /// </summary>
    private static byte[] HugeTiff(bool widthAsLong8)
    {
        const int long8At = 300, stripAt = 400;
        var output = new MemoryStream();
        var tiff = new BinaryWriter(output);
        void Entry(ushort tag, ushort type, uint value)
        {
            tiff.Write(tag);
            tiff.Write(type);
            tiff.Write(1u);
            tiff.Write(value);
        }

        tiff.Write("II"u8);
        tiff.Write((ushort)42);
        tiff.Write(8u);
        tiff.Write((ushort)(widthAsLong8 ? 9 : 10));
        if (widthAsLong8) Entry(256, 16, long8At);
        else
        {
            Entry(256, 4, 40_000);
            Entry(256, 4, 100);
        }
        Entry(257, 4, 40_000);
        Entry(258, 3, 8);
        Entry(259, 3, 1);
        Entry(262, 3, 1);
        Entry(273, 4, stripAt);
        Entry(277, 3, 1);
        Entry(278, 4, 40_000);
        Entry(279, 4, 1_000);
        tiff.Write(0u);
        output.SetLength(long8At);
        output.Position = long8At;
        tiff.Write(40_000UL);
        output.SetLength(stripAt + 1_000);
        return output.ToArray();
    }

    [Fact]
    public void Reads_the_size_of_a_JPEG_with_stray_and_fill_bytes_before_a_marker_as_libjpeg_does()
    {
        var jpeg = ScanImages.Convert(ScanImages.Png(["one"], dpi: 100), "png", "jpg");
        // After the start-of-image marker: a stray byte, then 0xFF fill bytes before the next marker's code.
        var padded = jpeg[..2].Concat(new byte[] { 0x00, 0xFF, 0xFF }).Concat(jpeg[2..]).ToArray();

        Assert.Equal([(850, 1100)], ImageHeader.Dimensions(new MemoryStream(padded)));
    }

    [Fact]
    public void Reads_the_page_dimensions_of_every_page_of_a_TIFF_and_of_a_JPEG()
    {
        var png = ScanImages.Png(["one"], dpi: 100);
        using var tiff = new MemoryStream(ScanImages.Tiff(png, png));
        using var jpeg = new MemoryStream(ScanImages.Convert(png, "png", "jpg"));

        Assert.Equal([(850, 1100), (850, 1100)], ImageHeader.Dimensions(tiff));
        Assert.Equal([(850, 1100)], ImageHeader.Dimensions(jpeg));
    }

    [Fact]
    public async Task A_tool_that_outlives_its_timeout_is_killed_and_reported()
    {
        var failure = await Assert.ThrowsAsync<OcrFailedException>(() =>
            ToolProcess.RunAsync("sleep", ["600"], TimeSpan.FromSeconds(1), default));

        Assert.Contains("took longer than 1 s", failure.Message);
    }

    [Fact]
    public async Task Describes_its_version_and_installed_languages()
    {
        var info = await OcrTestPages.Engine().DescribeAsync(default);

        Assert.StartsWith("5.", info.Version);
        Assert.Subset(info.Languages.ToHashSet(), new HashSet<string> { "eng", "deu", "osd" });
        Assert.Empty(OcrInstallation.Problems(OcrTestPages.Options("eng+deu"), info));
    }

    [Fact]
    public void A_missing_language_names_the_Debian_package_to_install()
    {
        var problems = OcrInstallation.Problems(OcrTestPages.Options("eng+chi_sim"), new OcrEngineInfo("5.3.0", ["eng", "osd"]));

        Assert.Equal(["Tesseract language 'chi_sim' is not installed (Ocr:Languages is 'eng+chi_sim'): install the Debian package tesseract-ocr-chi-sim."], problems);
    }

    private string Save(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
