using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

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
    [Range(8, int.MaxValue, ErrorMessage = "Chunking:MaxTokens must be at least 8.")]
    public int MaxTokens { get; set; } = 254;

    /// <summary>
    /// Roughly how many tokens of the previous chunk's end (whole sentences; the last words when its last sentence is
    /// longer) a chunk starts with, so a passage cut in two stays findable from both sides. 0 disables overlap.
    /// </summary>
    [Range(0, int.MaxValue, ErrorMessage = OverlapProblem)]
    public int OverlapTokens { get; set; } = 32;

    /// <summary>
    /// Fewest new tokens a chunk should carry: a smaller last chunk is merged into, or balanced with, the one before it,
    /// and a short chunk (a heading) is filled with the start of the next sentence instead of standing alone.
    /// </summary>
    [Range(0, int.MaxValue, ErrorMessage = MinProblem)]
    public int MinTokens { get; set; } = 32;

    /// <summary>
    /// Most tokens of the context line (document title › headings) written before a chunk's text when it is embedded and
    /// full-text indexed; the chunk's text gets the window less its context. 0 embeds the text alone. At most a quarter
    /// of <see cref="MaxTokens"/> is used.
    /// </summary>
    [Range(0, int.MaxValue, ErrorMessage = "Chunking:MaxContextTokens must be 0 or more.")]
    public int MaxContextTokens { get; set; } = 48;

    internal const string OverlapProblem = "Chunking:OverlapTokens must be between 0 and half of MaxTokens.";
    internal const string MinProblem = "Chunking:MinTokens must be between 0 and half of MaxTokens.";
}

/// <summary>The rules of <see cref="ChunkingOptions"/> that compare two of its settings (the others are its attributes).</summary>
public sealed class ChunkingOptionsValidator : IValidateOptions<ChunkingOptions>
{
    public ValidateOptionsResult Validate(string? name, ChunkingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.OverlapTokens > options.MaxTokens / 2) problems.Add(ChunkingOptions.OverlapProblem);
        if (options.MinTokens > options.MaxTokens / 2) problems.Add(ChunkingOptions.MinProblem);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
