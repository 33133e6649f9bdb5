using System.Globalization;
using Lode.Audit;

namespace Lode.Functions.Http;

/// <summary>A row of the audit trail as the admin API shows it.</summary>
public sealed record AuditEventView(
    long Id,
    DateTimeOffset OccurredAt,
    string Caller,
    string AuthMethod,
    IReadOnlyList<string> Groups,
    string Surface,
    string? Question,
    string? Answer,
    int? AnswerChars,
    string? AnswerMode,
    IReadOnlyList<AuditSource> Sources,
    string Outcome)
{
    public static AuditEventView From(AuditEvent e) => new(e.Id, e.OccurredAt, e.Caller, e.AuthMethod, e.CallerGroups,
        e.Surface, e.Question, e.Answer, e.AnswerChars, e.AnswerMode, e.Sources, e.Outcome);

    /// <summary>The cursor parts of a row's position: its instant (round-trip format, microseconds kept) and id.</summary>
    public static string[] CursorOf(AuditEvent e) =>
        [e.OccurredAt.ToString("O", CultureInfo.InvariantCulture), e.Id.ToString(CultureInfo.InvariantCulture)];

    /// <summary>The position <see cref="CursorOf"/> wrote; null when the parts are not one.</summary>
    public static AuditPosition? PositionOf(string[] parts) =>
        parts is [var instant, var id]
        && DateTimeOffset.TryParseExact(instant, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var occurredAt)
        && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var rowId)
            ? new AuditPosition(occurredAt, rowId)
            : null;
}

/// <summary>One page of the audit trail, newest first; pass <see cref="Next"/> as <c>cursor</c> for the next (null at the end).</summary>
public sealed record AuditPage(IReadOnlyList<AuditEventView> Events, string? Next);
