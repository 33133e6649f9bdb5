using System.Runtime.CompilerServices;
using System.Text;
using Lode.Audit;
using Lode.Chat;
using Lode.Evaluation;
using Lode.Retrieval;
using Lode.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Lode.Functions.Http;

/// <summary>
/// Puts every question the API answers into the audit trail (<see cref="AuditLog"/>): searches with the documents they
/// returned, chat answers with the documents they cite, streamed or not, however they end. Each function makes one
/// call; what a row holds is decided here, the same way for every surface.
/// </summary>
public sealed class QuestionAudit(AuditLog log, ChatService chat)
{
    /// <summary>Records a search (with <c>Audit:Required</c>, throws <see cref="AuditUnavailableException"/> when the row cannot be written).</summary>
    public Task SearchedAsync(Caller caller, string query, IReadOnlyList<RetrievedChunk> found) =>
        RecordedAsync(new AuditEntry(caller, AuditSurfaces.Search, query, Answer: null, AnswerMode: null,
            Distinct(found.Select(c => new AuditSource(c.Bucket, c.Key, c.PageStart))), AuditOutcomes.Ok));

    /// <summary>Records an answer given whole (not streamed).</summary>
    public Task AnsweredAsync(Caller caller, string surface, string question, Completed answer) =>
        RecordedAsync(new AuditEntry(caller, surface, question, answer.Answer, ChatHttpResponse.ModeName(answer.Mode),
            SourcesOf(answer.Citations), AuditOutcomes.Ok));

    /// <summary>
    /// Records that a caller was given access to a document's bytes (a source link, an upload): who read or wrote
    /// what is as much the trail's business as who asked what.
    /// </summary>
    public Task AccessedAsync(Caller caller, string surface, AuditSource document) =>
        RecordedAsync(new AuditEntry(caller, surface, Question: null, Answer: null, AnswerMode: null, [document], AuditOutcomes.Ok));

    /// <summary>
    /// Records a retrieval evaluation as one row (not one per question: it is one request, and its searches return
    /// nothing but what the report shows). The row holds the questions, one a
    /// line, and the pages whose passages the report shows: the misses' returned passages.
    /// </summary>
    public Task EvaluatedAsync(Caller caller, EvaluationReport report) =>
        RecordedAsync(new AuditEntry(caller, AuditSurfaces.Evaluation, string.Join('\n', report.Questions.Select(q => q.Question.Question)),
            Answer: null, AnswerMode: null,
            Distinct(report.Misses.SelectMany(m => m.Returned).Select(p => new AuditSource(p.Bucket, p.Key, p.Page))), AuditOutcomes.Ok));

    private Task RecordedAsync(AuditEntry entry) => log.RecordAsync(entry, CancellationToken.None);

    /// <summary>
    /// Answers <paramref name="request"/> (<see cref="ChatService.StreamAsync"/>) and records the answer's events as they
    /// pass: once the answer is complete (before its last event goes out), or when the pipeline fails or the caller goes
    /// away (with the text sent until then). <paramref name="streamed"/>: the events go out as they come, so with
    /// <c>Audit:Required</c> the row is written before the first one, and an <see cref="AuditUnavailableException"/>
    /// still arrives before anything was sent. Generation is cancelled through the token the events are read with.
    /// </summary>
    public async IAsyncEnumerable<ChatEvent> Track(Caller caller, string surface, ChatRequest request, bool streamed,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var question = request.Messages.LastOrDefault(m => m.Role == "user")?.Content;
        var record = new AnswerRecord(log, new AuditEntry(caller, surface, question, null, null, [], AuditOutcomes.Ok), streamed);
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

    private static List<AuditSource> Distinct(IEnumerable<AuditSource> sources) => sources.Distinct().ToList();

    private static List<AuditSource> SourcesOf(IEnumerable<Citation> citations) =>
        Distinct(citations.Select(c => new AuditSource(c.Bucket, c.Key, c.Page)));

    /// <summary>What one chat answer has come to so far, and its one row in the trail.</summary>
    private sealed class AnswerRecord(AuditLog log, AuditEntry entry, bool streamed)
    {
        private readonly StringBuilder _sent = new();
        private AuditEntry _entry = entry;
        private long? _opened;
        private bool _ended;

        public async Task ObserveAsync(ChatEvent chatEvent)
        {
            switch (chatEvent)
            {
                case SourcesFound found:
                    // What the caller may be shown; the sources actually cited replace them when the answer is complete.
                    _entry = _entry with { Sources = SourcesOf(found.Sources) };
                    if (streamed) _opened = await log.OpenStreamAsync(_entry, CancellationToken.None);
                    break;
                case TextDelta delta:
                    _sent.Append(delta.Text);
                    break;
                case Completed done:
                    _ended = true;
                    await log.CompleteStreamAsync(_opened, _entry with
                    {
                        Answer = done.Answer,
                        AnswerMode = ChatHttpResponse.ModeName(done.Mode),
                        Sources = SourcesOf(done.Citations),
                        Outcome = AuditOutcomes.Ok,
                    }, CancellationToken.None);
                    break;
            }
        }

        public Task FailedAsync(Exception error, CancellationToken ct)
        {
            if (error is not AuditUnavailableException)
                return EndAsync(error is OperationCanceledException && ct.IsCancellationRequested ? AuditOutcomes.Cancelled : ApiProblems.CodeOf(error));
            // The trail has just refused a write (and logged it): another attempt would only wait for it again.
            _ended = true;
            return Task.CompletedTask;
        }

        public Task AbandonedAsync() => EndAsync(AuditOutcomes.Cancelled);

        private async Task EndAsync(string outcome)
        {
            if (_ended) return;
            _ended = true;
            try
            {
                await log.CompleteStreamAsync(_opened, _entry with { Answer = _sent.Length > 0 ? _sent.ToString() : null, Outcome = outcome },
                    CancellationToken.None);
            }
            catch (AuditUnavailableException)
            {
                // Already logged; the request is failing or gone anyway, so there is nobody left to refuse.
            }
        }
    }
}
