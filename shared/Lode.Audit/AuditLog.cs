using Lode.Retrieval;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lode.Audit;

/// <summary>
/// The audit trail: one append-only row per question asked (who, authenticated how, with which groups, when, through
/// which surface, which documents, how long the answer, how it ended), with the question and answer text as far as
/// <see cref="AuditOptions.TextRetention"/> keeps them. A failed write is logged without any question or answer text,
/// and only throws (<see cref="AuditUnavailableException"/>) when <see cref="AuditOptions.Required"/> is set.
/// </summary>
public sealed class AuditLog(NpgsqlDataSource dataSource, IOptions<AuditOptions> options, ILogger<AuditLog> logger)
{
    // Longest text stored per column. Questions are bounded by Chat:MaxQuestionChars (at most 100,000) and answers by
    // the model's output limit; the cap only keeps a rejected, oversized question out of a table that is never purged.
    internal const int MaxStoredChars = 100_000;

    // How long a write may hold up an answer. Writes do not take the request's token, so a question is recorded even
    // when its caller has gone away.
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(5);

    private readonly AuditOptions _options = options.Value;
    private readonly AuditEventsTable _table = new(dataSource);

    /// <summary>Writes the row of a question whose outcome is known (a search; an answer returned whole).</summary>
    /// <exception cref="AuditUnavailableException">Not written, and <see cref="AuditOptions.Required"/> is set.</exception>
    public Task RecordAsync(AuditEntry entry, CancellationToken ct) =>
        WriteAsync(entry, (kept, answerChars, token) => _table.InsertAsync(kept, answerChars, token), ct);

    /// <summary>
    /// Called before an answer is streamed. With <see cref="AuditOptions.Required"/> the row is written now, with
    /// outcome <see cref="AuditOutcomes.Streaming"/>, so nothing is sent unrecorded; its id goes to
    /// <see cref="CompleteStreamAsync"/>. Otherwise nothing is written yet (null): the stream gets its one row when it ends.
    /// </summary>
    /// <exception cref="AuditUnavailableException">Not written, and <see cref="AuditOptions.Required"/> is set.</exception>
    public Task<long?> OpenStreamAsync(AuditEntry entry, CancellationToken ct) =>
        _options.Required
            ? WriteAsync(entry with { Outcome = AuditOutcomes.Streaming }, (kept, answerChars, token) => _table.InsertAsync(kept, answerChars, token), ct)
            : Task.FromResult<long?>(null);

    /// <summary>
    /// Records how a streamed answer ended: gives the row <see cref="OpenStreamAsync"/> wrote (<paramref name="openedId"/>)
    /// its outcome, or writes the stream's only row.
    /// </summary>
    /// <exception cref="AuditUnavailableException">Not written, and <see cref="AuditOptions.Required"/> is set.</exception>
    public Task CompleteStreamAsync(long? openedId, AuditEntry entry, CancellationToken ct) =>
        openedId is not { } id
            ? RecordAsync(entry, ct)
            : WriteAsync(entry, async (kept, answerChars, token) =>
                await _table.CompleteAsync(id, kept, answerChars, token)
                    ? id
                    : throw new InvalidOperationException($"Audit row {id} is no longer waiting for its outcome."), ct);

    /// <summary>One page of the trail, newest first; <paramref name="after"/> is the last row of the previous page.</summary>
    public Task<IReadOnlyList<AuditEvent>> QueryAsync(AuditQuery query, AuditPosition? after, int limit, CancellationToken ct) =>
        _table.QueryAsync(query, after, limit, ct);

    private async Task<long?> WriteAsync(AuditEntry entry, Func<AuditEntry, int?, CancellationToken, Task<long>> write, CancellationToken ct)
    {
        if (!_options.Enabled) return null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(WriteTimeout);
        try
        {
            return await write(Kept(entry), entry.Answer?.Length, timeout.Token);
        }
        catch (Exception e)
        {
            // Never the exception itself: with "Include Error Detail" a PostgreSQL error carries the failing row.
            if (_options.Required)
            {
                logger.LogError("The audit row of a question to {Surface} by {Caller} could not be written ({Reason}); " +
                    "the question is refused (Audit:Required).", entry.Surface, entry.Caller.Name, Reason(e));
                throw new AuditUnavailableException();
            }
            logger.LogWarning("The audit row of a question to {Surface} by {Caller} could not be written ({Reason}); " +
                "the question was answered without it (Audit:Required is off).", entry.Surface, entry.Caller.Name, Reason(e));
            return null;
        }
    }

    /// <summary>
    /// The entry with only the text the retention setting keeps, in a form PostgreSQL stores. Its text is the caller's:
    /// a NUL in a question is valid JSON but no PostgreSQL text, and a row refused for it would let any caller ask off
    /// the record (Audit:Required off) or be refused for it (on); the question is kept as it was searched instead.
    /// </summary>
    private AuditEntry Kept(AuditEntry entry) => entry with
    {
        Caller = entry.Caller with { Name = StoredText.Clean(entry.Caller.Name), Groups = entry.Caller.Groups.Select(StoredText.Clean).ToList() },
        Question = _options.KeepsQuestion ? Capped(entry.Question) : null,
        Answer = _options.KeepsAnswer ? Capped(entry.Answer) : null,
    };

    private static string? Capped(string? text)
    {
        if (text is null) return null;
        text = StoredText.Clean(text);
        if (text.Length <= MaxStoredChars) return text;
        // Never cut a surrogate pair in two: PostgreSQL would refuse the half character.
        return text[..(char.IsHighSurrogate(text[MaxStoredChars - 1]) ? MaxStoredChars - 1 : MaxStoredChars)];
    }

    // What went wrong, in words that carry no row data.
    private static string Reason(Exception e) => e switch
    {
        PostgresException p => $"{p.SqlState}: {p.MessageText}",
        NpgsqlException n => n.Message,
        OperationCanceledException => $"no answer from the database within {WriteTimeout.TotalSeconds:0} s",
        _ => e.GetType().Name,
    };
}
