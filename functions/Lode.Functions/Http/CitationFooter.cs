using Lode.Chat;

namespace Lode.Functions.Http;

/// <summary>
/// The cited sources as text after an answer, for OpenAI-compatible clients that show only the message content and
/// would otherwise see [n] markers pointing nowhere. Lode's own API returns citations as data instead.
/// </summary>
public static class CitationFooter
{
    public static string For(IReadOnlyList<Citation> citations) =>
        citations.Count == 0 ? "" : "\n\nSources: " + string.Join("; ", citations.Select(c => $"[{c.Number}] {c.Location}"));
}
