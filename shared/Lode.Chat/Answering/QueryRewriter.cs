using Lode.Chat.Models;
using Lode.Chat.Prompting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Lode.Chat.Answering;

/// <summary>
/// Turns a follow-up ("and what about page limits?") into a standalone search query using the conversation, so
/// retrieval searches for what the user means. Without earlier turns or a model, the question is the query.
/// </summary>
public sealed class QueryRewriter(ILogger<QueryRewriter> logger)
{
    private const int HistoryTurns = 6;
    private const int TurnChars = 1000;
    private const int MaxQueryChars = 400;

    public async Task<string> RewriteAsync(ILanguageModel? model, IReadOnlyList<ChatTurn> history, string question, CancellationToken ct)
    {
        if (model is null || !history.Any(t => t.Role == "user")) return question;

        List<ChatMessage> messages = [new(ChatRole.System, PromptText.Rewrite)];
        foreach (var turn in history.Where(t => t.Role is "user" or "assistant").TakeLast(HistoryTurns))
        {
            var content = turn.Content.Length <= TurnChars ? turn.Content : turn.Content[..TurnChars];
            messages.Add(new ChatMessage(turn.Role == "user" ? ChatRole.User : ChatRole.Assistant, content));
        }
        messages.Add(new ChatMessage(ChatRole.User, question));

        try
        {
            var response = await model.Client.GetResponseAsync(messages, new ChatOptions { MaxOutputTokens = 64, Temperature = 0 }, ct);
            var query = response.Text.Trim().Trim('"', '\'', '`').Trim();
            return query.Length is > 0 and <= MaxQueryChars ? query : question;
        }
        catch (Exception e) when (e is not (ModelBusyException or OperationCanceledException))
        {
            // A failed rewrite must not fail the chat: search with the question as asked.
            logger.LogWarning("Query rewrite failed, searching with the question as asked: {Error}", e.Message);
            return question;
        }
    }
}
