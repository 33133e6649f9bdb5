using Lode.Chat;
using Lode.Retrieval;
using Lode.Identity;

namespace Lode.Functions.Http;

/// <summary>POST api/chat body.</summary>
public sealed record ChatHttpRequest(
    IReadOnlyList<ChatHttpMessage>? Messages,
    bool? Stream,
    string? Bucket,
    string? Prefix,
    string? ContentType,
    int? MaxTokens,
    float? Temperature)
{
    public ChatRequest ToChatRequest(Caller caller) => new(
        (Messages ?? []).Select(m => new ChatTurn((m.Role ?? "").ToLowerInvariant(), m.Content ?? "")).ToList(),
        caller.Groups,
        new SearchFilter(Bucket, Prefix, ContentType),
        MaxTokens,
        Temperature);
}

public sealed record ChatHttpMessage(string? Role, string? Content);

/// <summary>POST api/chat answer (and the final streamed event's payload).</summary>
public sealed record ChatHttpResponse(
    string Answer,
    IReadOnlyList<CitationView> Citations,
    UsageView Usage,
    string Mode,
    string Model)
{
    public static ChatHttpResponse From(Completed c) => new(c.Answer, c.Citations.Select(CitationView.From).ToList(),
        UsageView.From(c.Usage), AnswerModeNames.Of(c.Mode), c.Model);
}

public sealed record CitationView(int Number, string Bucket, string Key, int Page, int PageEnd, string Snippet)
{
    public static CitationView From(Citation c) => new(c.Number, c.Bucket, c.Key, c.Page, c.PageEnd, c.Snippet);
}

public sealed record UsageView(int PromptTokens, int CompletionTokens, int TotalTokens)
{
    public static UsageView From(ChatUsage u) => new(u.PromptTokens, u.CompletionTokens, u.TotalTokens);
}
