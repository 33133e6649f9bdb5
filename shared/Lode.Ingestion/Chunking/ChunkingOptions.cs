namespace Lode.Ingestion.Chunking;

/// <summary>How documents are cut into chunks (configuration section <c>Chunking</c> by convention).</summary>
public sealed class ChunkingOptions
{
    /// <summary>Conventional configuration section name.</summary>
    public const string SectionName = "Chunking";

    /// <summary>
    /// Largest chunk in tokens, excluding the model's [CLS]/[SEP]. 254 fills all-MiniLM-L6-v2's 256-token window;
    /// the chunker also caps it at the counter's <c>MaxTokens - 2</c>, so no chunk is ever truncated by the embedder.
    /// </summary>
    public int MaxTokens { get; set; } = 254;

    /// <summary>
    /// Roughly how many tokens of the previous chunk's end (whole sentences; the last words when its last sentence is
    /// longer) a chunk starts with, so a passage cut in two stays findable from both sides. 0 disables overlap.
    /// </summary>
    public int OverlapTokens { get; set; } = 32;

    /// <summary>
    /// Fewest new tokens a chunk should carry: a smaller last chunk is merged into, or balanced with, the one before it,
    /// and a short chunk (a heading) is filled with the start of the next sentence instead of standing alone.
    /// </summary>
    public int MinTokens { get; set; } = 32;

    /// <summary>
    /// Most tokens of the context line (document title › headings) written before a chunk's text when it is embedded and
    /// full-text indexed; the chunk's text gets the window less its context. 0 embeds the text alone. At most a quarter
    /// of <see cref="MaxTokens"/> is used.
    /// </summary>
    public int MaxContextTokens { get; set; } = 48;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for values the chunker cannot work with.</summary>
    public void Validate()
    {
        if (MaxTokens < 8)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "Chunking:MaxTokens must be at least 8.");
        }

        if (OverlapTokens < 0 || OverlapTokens > MaxTokens / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(OverlapTokens), OverlapTokens, "Chunking:OverlapTokens must be between 0 and half of MaxTokens.");
        }

        if (MaxContextTokens < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxContextTokens), MaxContextTokens, "Chunking:MaxContextTokens must be 0 or more.");
        }

        if (MinTokens < 0 || MinTokens > MaxTokens / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(MinTokens), MinTokens, "Chunking:MinTokens must be between 0 and half of MaxTokens.");
        }
    }
}
