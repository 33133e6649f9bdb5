using System.Runtime.CompilerServices;
using Lode.Chat;
using Lode.Identity;

namespace Lode.Audit;

/// <summary>
/// The chat service as every surface that answers questions reaches it: <see cref="ChatService"/>'s operations, each
/// also taking the caller and the surface (<see cref="AuditSurfaces"/>) it records. Every answer leaves one row, however
/// it ends: complete (with the documents it cites), failed (with its error code and the text sent until then), or
/// abandoned by the caller (<see cref="AuditOutcomes.Cancelled"/>).
/// </summary>
public sealed class AuditedChat(ChatService chat, AuditLog log, IFailureCodes codes)
{
    /// <inheritdoc cref="ChatService.ModelName"/>
    public string ModelName => chat.ModelName;

    /// <summary>
    /// Answers <paramref name="request"/> as events (<see cref="ChatService.StreamAsync"/>), recorded as they pass: once
    /// the answer is complete (before its last event is handed on), or when the pipeline fails or the caller stops
    /// reading. <paramref name="streamed"/>: the events go out as they come, so with <see cref="AuditOptions.Required"/>
    /// the row is written before the first one, and an <see cref="AuditUnavailableException"/> still arrives before
    /// anything was sent. Generation is cancelled through the token the events are read with.
    /// </summary>
    public async IAsyncEnumerable<ChatEvent> StreamAsync(Caller caller, string surface, ChatRequest request, bool streamed,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var record = new AnswerRecord(log, codes, new AuditEntry(caller, surface, QuestionOf(request), null, null, [], AuditOutcomes.Ok), streamed);
        await using var events = chat.StreamAsync(request, ct).GetAsyncEnumerator();
        try
        {
            while (true)
            {
                ChatEvent current;
                try
                {
                    if (!await events.MoveNextAsync()) break;
                    current = events.Current;
                    await record.ObserveAsync(current);
                }
                catch (Exception error)
                {
                    await record.FailedAsync(error, ct);
                    throw;
                }
                yield return current;
            }
        }
        finally
        {
            // Records only if nothing else did: the caller stopped reading (went away, or a write to it failed) first.
            await record.AbandonedAsync();
        }
    }

    /// <summary>Answers <paramref name="request"/> whole: the events of <see cref="StreamAsync"/>, not streamed, collected.</summary>
    public async Task<Completed> AnswerAsync(Caller caller, string surface, ChatRequest request, CancellationToken ct)
    {
        Completed? completed = null;
        await foreach (var chatEvent in StreamAsync(caller, surface, request, streamed: false, ct)) completed = chatEvent as Completed ?? completed;
        return completed!;
    }

    /// <summary>
    /// <see cref="ChatService.AnswerWithinAsync"/>, then the answer's row. Only an answer is recorded: a question refused
    /// before retrieval (too long, malformed) reached no document.
    /// </summary>
    public async Task<Completed> AnswerWithinAsync(Caller caller, string surface, ChatRequest request, TimeSpan budget, CancellationToken ct)
    {
        var answer = await chat.AnswerWithinAsync(request, budget, ct);
        await log.RecordAsync(new AuditEntry(caller, surface, QuestionOf(request), answer.Answer, AnswerModeNames.Of(answer.Mode),
            AuditSourceLists.Of(answer.Citations), AuditOutcomes.Ok), CancellationToken.None);
        return answer;
    }

    /// <summary>What the row records as the question: the conversation's last user turn.</summary>
    private static string? QuestionOf(ChatRequest request) => request.Messages.LastOrDefault(m => m.Role == "user")?.Content;
}
