using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Lode.Audit;

/// <summary>
/// The SQL of table <c>audit_events</c>. The database refuses UPDATE, DELETE and TRUNCATE on it (migration 4), with
/// one exception: a row still <see cref="AuditOutcomes.Streaming"/> may be given its outcome, once.
/// </summary>
internal sealed class AuditEventsTable(NpgsqlDataSource dataSource)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Appends a row; returns its id.</summary>
    public async Task<long> InsertAsync(AuditEntry entry, int? answerChars, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO audit_events (caller, auth_method, caller_groups, surface, question, answer, answer_chars,
                                      answer_mode, sources, outcome)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            RETURNING id
            """);
        command.Parameters.Add(new() { Value = entry.Caller.Name });
        command.Parameters.Add(new() { Value = entry.Caller.AuthenticationMethod });
        command.Parameters.Add(new() { Value = entry.Caller.Groups.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = entry.Surface });
        command.Parameters.Add(new() { Value = (object?)entry.Question ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        AddResult(command, entry, answerChars);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Gives a row written while its answer was still streaming its outcome. False when no such row is waiting.</summary>
    public async Task<bool> CompleteAsync(long id, AuditEntry entry, int? answerChars, CancellationToken ct)
    {
        // 'streaming' is AuditOutcomes.Streaming, as the table's trigger spells it.
        await using var command = dataSource.CreateCommand("""
            UPDATE audit_events SET answer = $1, answer_chars = $2, answer_mode = $3, sources = $4, outcome = $5
            WHERE id = $6 AND outcome = 'streaming'
            """);
        AddResult(command, entry, answerChars);
        command.Parameters.Add(new() { Value = id });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>A page of rows, newest first, after <paramref name="after"/> (the last row of the previous page).</summary>
    public async Task<IReadOnlyList<AuditEvent>> QueryAsync(AuditQuery query, AuditPosition? after, int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT id, occurred_at, caller, auth_method, caller_groups, surface, question, answer, answer_chars,
                   answer_mode, sources::text, outcome
            FROM audit_events
            WHERE ($1::text IS NULL OR caller = $1)
              AND ($2::text IS NULL OR surface = $2)
              AND ($3::timestamptz IS NULL OR occurred_at >= $3)
              AND ($4::timestamptz IS NULL OR occurred_at < $4)
              AND ($5::timestamptz IS NULL OR (occurred_at, id) < ($5, $6))
            ORDER BY occurred_at DESC, id DESC
            LIMIT $7
            """);
        command.Parameters.Add(new() { Value = (object?)query.Caller ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)query.Surface ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)query.From ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = (object?)query.To ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = (object?)after?.OccurredAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = (object?)after?.Id ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = limit });
        var events = new List<AuditEvent>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) events.Add(Read(reader));
        return events;
    }

    // The columns an outcome sets, in this order: answer, answer_chars, answer_mode, sources, outcome.
    private static void AddResult(NpgsqlCommand command, AuditEntry entry, int? answerChars)
    {
        command.Parameters.Add(new() { Value = (object?)entry.Answer ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)answerChars ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new() { Value = (object?)entry.AnswerMode ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = JsonSerializer.Serialize(entry.Sources, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new() { Value = entry.Outcome });
    }

    private static AuditEvent Read(NpgsqlDataReader r) => new(
        Id: r.GetInt64(0),
        OccurredAt: r.GetFieldValue<DateTimeOffset>(1),
        Caller: r.GetString(2),
        AuthMethod: r.GetString(3),
        CallerGroups: r.GetFieldValue<string[]>(4),
        Surface: r.GetString(5),
        Question: r.IsDBNull(6) ? null : r.GetString(6),
        Answer: r.IsDBNull(7) ? null : r.GetString(7),
        AnswerChars: r.IsDBNull(8) ? null : r.GetInt32(8),
        AnswerMode: r.IsDBNull(9) ? null : r.GetString(9),
        Sources: JsonSerializer.Deserialize<AuditSource[]>(r.GetString(10), Json) ?? [],
        Outcome: r.GetString(11));
}
