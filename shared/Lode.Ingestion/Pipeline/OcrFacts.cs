using Lode.Database;
using Lode.Ingestion.Extraction;

namespace Lode.Ingestion.Pipeline;

/// <summary>The OCR facts an extraction found on its pages, as the index stores them.</summary>
internal static class OcrFacts
{
    public static IReadOnlyList<OcrPageRecord> Of(ExtractedDocument document) =>
        document.Pages.Where(p => p.Ocr is not null)
            .Select(p => new OcrPageRecord(p.Number, StateName(p.Ocr!.State), p.Ocr.MeanConfidence, p.Ocr.Reason))
            .ToList();

    private static string StateName(PageOcrState state) => state switch
    {
        PageOcrState.Read => OcrPageStates.Read,
        PageOcrState.Failed => OcrPageStates.Failed,
        PageOcrState.Disabled => OcrPageStates.Disabled,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}
