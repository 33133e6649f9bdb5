namespace Lode.Ingestion.Extraction;

/// <summary>
/// How many bytes a PDF's compressed streams (Flate, LZW, RunLength) may unpack to (<see cref="ExtractionLimits.MaxDecompressedBytes"/>), shared by
/// every count <see cref="PdfInflationGuard"/> makes before PdfPig is allowed to inflate anything.
/// </summary>
internal sealed class InflationBudget(long limit)
{
    public long Used { get; private set; }

    public bool Exceeded => Used > limit;

    /// <summary>The most a counter needs to read to know the limit is passed: one byte past it.</summary>
    public long Remaining => Math.Max(limit - Used + 1, 0);

    public void Charge(long bytes) => Used += bytes;

    /// <summary>The one reason every pass gives, so a bomb reads the same whichever pass caught it.</summary>
    public RejectedDocumentException Refusal() => new(RejectionReason.TooLarge,
        $"The PDF's compressed streams unpack to more than {limit:N0} bytes (Ingestion:MaxDecompressedBytes).");
}
