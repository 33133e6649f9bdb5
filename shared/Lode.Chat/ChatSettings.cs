using System.ComponentModel.DataAnnotations;

namespace Lode.Chat;

/// <summary>Configuration section <c>Chat</c>.</summary>
public sealed class ChatSettings
{
    public const string SectionName = "Chat";

    /// <summary>Chunks retrieved per question (the prompt takes as many as fit the model's context).</summary>
    [Range(1, 50)]
    public int Sources { get; set; } = 6;

    /// <summary>Characters of a source shown as the citation snippet.</summary>
    [Range(40, 2000)]
    public int SnippetChars { get; set; } = 240;

    /// <summary>With earlier turns and a model, rewrite the last question into a standalone search query first.</summary>
    public bool RewriteFollowUps { get; set; } = true;

    /// <summary>Longest question accepted, in characters; never more than <c>Retrieval:MaxQueryChars</c>, the smaller one wins.</summary>
    [Range(1, 100_000)]
    public int MaxQuestionChars { get; set; } = 2000;

    /// <summary>Passages quoted by the extractive answer (no model configured).</summary>
    [Range(1, 10)]
    public int ExtractivePassages { get; set; } = 3;

    /// <summary>Tokens kept free for the chat template's own markup around each message.</summary>
    [Range(0, 256)]
    public int TemplateTokensPerMessage { get; set; } = 8;
}
