namespace Lode.Ingestion.Extraction;

/// <summary>What happened to a page whose text exists only as an image.</summary>
public enum PageOcrState
{
    /// <summary>OCR read it; its text is the OCR text.</summary>
    Read,

    /// <summary>OCR failed, timed out or was over a limit; the page has no text.</summary>
    Failed,

    /// <summary>OCR is turned off (Ocr:Enabled); the page has no text.</summary>
    Disabled,
}

/// <summary>
/// The OCR facts of one scanned page: its state, the mean word confidence (0–100; null when no word was read) and,
/// unless read, why not.
/// </summary>
public sealed record PageOcr(PageOcrState State, double? MeanConfidence = null, string? Reason = null)
{
    public static PageOcr Failed(string reason) => new(PageOcrState.Failed, null, reason);

    public static PageOcr Disabled { get; } = new(PageOcrState.Disabled, null, "OCR is turned off (Ocr:Enabled).");
}
