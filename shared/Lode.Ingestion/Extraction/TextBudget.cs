namespace Lode.Ingestion.Extraction;

/// <summary>
/// Counts the characters an extractor has produced so far and rejects the document as soon as it passes
/// <see cref="ExtractionLimits.MaxTextChars"/>: checking while extracting stops a text bomb before it fills memory.
/// </summary>
internal sealed class TextBudget(ExtractionLimits limits)
{
    private long _used;

    public void Charge(long characters)
    {
        _used += characters;
        if (_used > limits.MaxTextChars)
        {
            throw TooLarge(limits);
        }
    }

    public static RejectedDocumentException TooLarge(ExtractionLimits limits) =>
        new(RejectionReason.TooLarge, $"The document has more than {limits.MaxTextChars:N0} characters of text.");
}
