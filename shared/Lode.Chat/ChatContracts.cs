using Lode.Retrieval;

namespace Lode.Chat;

/// <summary>One message of a conversation: role is "system", "user" or "assistant".</summary>
public sealed record ChatTurn(string Role, string Content);

/// <summary>A conversation to answer; the last message is the user's question.</summary>
/// <param name="ReaderGroups">The caller's groups: the answer draws only on documents they may read (see <see cref="SearchRequest"/>).</param>
public sealed record ChatRequest(
    IReadOnlyList<ChatTurn> Messages,
    IReadOnlyCollection<string> ReaderGroups,
    SearchFilter? Filter = null,
    int? MaxOutputTokens = null,
    float? Temperature = null);

/// <summary>A source as shown to the caller: where a cited passage is (document, pages, section), and a short snippet of it.</summary>
public sealed record Citation(int Number, string Bucket, string Key, int Page, int PageEnd, string Snippet)
{
    /// <summary>The headings the passage sits under, as people read them (<c>Bash Features › Shell Variables</c>); null when none.</summary>
    public string? Heading { get; init; }

    /// <summary>A heading path as one line.</summary>
    public static string HeadingOf(IReadOnlyList<string> headingPath) => string.Join(" › ", headingPath);

    /// <summary>The document, for people: <c>bucket/key</c>.</summary>
    public string Document => $"{Bucket}/{Key}";

    /// <summary>The pages, for people: <c>p. 3</c> or <c>pp. 3-4</c>.</summary>
    public string Pages => Page == PageEnd ? $"p. {Page}" : $"pp. {Page}-{PageEnd}";

    /// <summary>Where the passage is, for people: <c>bucket/key, p. 3</c>, then its section when it has one.</summary>
    public string Location => Heading is null ? $"{Document}, {Pages}" : $"{Document}, {Pages} ({Heading})";
}

public sealed record ChatUsage(int PromptTokens, int CompletionTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}

/// <summary>How the answer was produced.</summary>
public enum AnswerMode
{
    /// <summary>Written by the language model from the numbered sources.</summary>
    Generated,
    /// <summary>No language model configured: passages quoted from the best sources.</summary>
    Extractive,
    /// <summary>Retrieval found nothing to answer from; the model was not asked.</summary>
    NoSources,
}

/// <summary>What a streamed answer sends, in order: <see cref="SourcesFound"/>, <see cref="TextDelta"/>s, <see cref="Completed"/>.</summary>
public abstract record ChatEvent;

/// <summary>The numbered sources the answer may cite; sent before any text.</summary>
public sealed record SourcesFound(IReadOnlyList<Citation> Sources) : ChatEvent;

public sealed record TextDelta(string Text) : ChatEvent;

/// <summary>The end: the whole answer, the sources it actually cited, and token usage.</summary>
public sealed record Completed(
    string Answer,
    IReadOnlyList<Citation> Citations,
    ChatUsage Usage,
    AnswerMode Mode,
    string Model,
    string FinishReason) : ChatEvent;
