using System.ComponentModel.DataAnnotations;

namespace Lode.Ocr;

/// <summary>Configuration section <c>Ocr</c>: reading scanned pages and images with Tesseract, on this machine.</summary>
public sealed class OcrOptions
{
    public const string SectionName = "Ocr";

    /// <summary>OCR pages that have no text layer, and accept images as documents. Off: such pages index without text.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Tesseract languages joined by '+', e.g. <c>eng+deu</c>; each needs Debian's <c>tesseract-ocr-&lt;lang&gt;</c>.</summary>
    [RegularExpression("^[a-z_]{3,16}(\\+[a-z_]{3,16})*$", ErrorMessage = "Ocr:Languages is Tesseract language codes joined by '+', e.g. eng+deu.")]
    public string Languages { get; set; } = "eng";

    /// <summary>Resolution PDF pages are rasterised at before OCR. 200 reads 9-point print; 300 is slower, rarely better.</summary>
    [Range(70, 600)]
    public int Dpi { get; set; } = 200;

    /// <summary>Pages OCR'd per document at most; further scanned pages are listed as failed.</summary>
    [Range(1, 100_000)]
    public int MaxPages { get; set; } = 500;

    /// <summary>Wall-clock limit for one page (rasterising and recognising); the process is killed and the page listed as failed.</summary>
    [Range(1, 3_600)]
    public int PageTimeoutSeconds { get; set; } = 120;

    /// <summary>Pages of one document recognised at once (each is one single-threaded Tesseract process).</summary>
    [Range(1, 64)]
    public int MaxParallelPages { get; set; } = 2;

    /// <summary>The '+'-joined languages as a list: "eng+deu" → ["eng", "deu"].</summary>
    public IReadOnlyList<string> LanguageList() => Languages.Split('+', StringSplitOptions.RemoveEmptyEntries);
}
