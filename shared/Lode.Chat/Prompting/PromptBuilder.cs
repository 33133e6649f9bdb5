using System.Text;
using Lode.Chat.Models;
using Lode.Retrieval;
using Microsoft.Extensions.AI;

namespace Lode.Chat.Prompting;

/// <summary>The messages sent to the model, the sources they contain, and what they cost.</summary>
public sealed record BuiltPrompt(IReadOnlyList<ChatMessage> Messages, IReadOnlyList<NumberedSource> Sources, int PromptTokens);

/// <summary>The question alone does not fit the model's context.</summary>
public sealed class PromptTooLongException(string message) : Exception(message);

/// <summary>
/// Builds a prompt that fits the model's context: system instructions, the question, as many retrieved sources as fit
/// (best first, the last one shortened if needed), then as much earlier conversation as still fits (newest first).
/// Every part is counted with the model's own tokenizer, plus an allowance per message for the chat template.
/// </summary>
public sealed class PromptBuilder(int templateTokensPerMessage)
{
    private const int JoinSlackTokens = 8;

    public BuiltPrompt Build(ILanguageModel model, IReadOnlyList<ChatTurn> history, string question,
        IReadOnlyList<RetrievedChunk> chunks, int maxOutputTokens)
    {
        // A few tokens of slack: a real tokenizer may merge characters across the joins between the counted pieces.
        var budget = model.ContextTokens - maxOutputTokens - JoinSlackTokens;
        // Two messages (system, user) carry template markup; the sources heading and sources share the user message.
        var used = Cost(model, PromptText.System) + Cost(model, PromptText.Question(question));
        var headingCost = model.CountTokens(PromptText.SourcesHeading);
        if (used > budget)
            throw new PromptTooLongException($"The question needs more than the {budget} prompt tokens the model allows.");

        var sources = new List<NumberedSource>();
        var sourceTexts = new List<string>();
        foreach (var chunk in chunks)
        {
            var source = new NumberedSource(sources.Count + 1, chunk);
            var text = PromptText.SourceHeader(source) + "\n" + chunk.Text.Trim() + "\n\n";
            var heading = sources.Count == 0 ? headingCost : 0; // the heading appears with the first source
            var cost = model.CountTokens(text) + heading;
            if (used + cost > budget)
            {
                // Shorten the source that does not fit, if a useful part of it does; then stop.
                var shortened = Shorten(model, text, budget - used - heading);
                if (shortened is not null)
                {
                    sources.Add(source);
                    sourceTexts.Add(shortened);
                    used += model.CountTokens(shortened) + heading;
                }
                break;
            }
            sources.Add(source);
            sourceTexts.Add(text);
            used += cost;
        }

        // Earlier turns, newest first, while they fit; a turn that does not fit ends the history there.
        var earlier = new List<ChatMessage>();
        // A caller's own system messages are dropped: the instructions above govern how sources are used.
        foreach (var turn in history.Where(t => t.Role != "system").Reverse())
        {
            var cost = Cost(model, turn.Content);
            if (used + cost > budget) break;
            earlier.Insert(0, new ChatMessage(ToRole(turn.Role), turn.Content));
            used += cost;
        }

        var user = new StringBuilder();
        if (sources.Count > 0) user.Append(PromptText.SourcesHeading).Append('\n').AppendJoin("", sourceTexts);
        user.Append(PromptText.Question(question));

        List<ChatMessage> messages = [new(ChatRole.System, PromptText.System), .. earlier, new(ChatRole.User, user.ToString())];
        return new BuiltPrompt(messages, sources, used);
    }

    private int Cost(ILanguageModel model, string text) => model.CountTokens(text) + templateTokensPerMessage;

    /// <summary>The longest prefix of <paramref name="text"/> (cut at a word) within <paramref name="tokens"/>, or null if under 32.</summary>
    private static string? Shorten(ILanguageModel model, string text, int tokens)
    {
        if (tokens < 32) return null;
        // Binary search over characters: tokens grow monotonically with the prefix length.
        int low = 0, high = text.Length;
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            if (model.CountTokens(text[..mid] + "…\n\n") <= tokens) low = mid;
            else high = mid - 1;
        }
        var cut = text.LastIndexOf(' ', Math.Max(0, low - 1));
        var end = cut > low / 2 ? cut : low;
        return end <= 0 ? null : text[..end] + "…\n\n";
    }

    private static ChatRole ToRole(string role) => role == "assistant" ? ChatRole.Assistant : ChatRole.User;
}
