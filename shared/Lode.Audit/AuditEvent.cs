namespace Lode.Audit;

/// <summary>A row of the audit trail as stored (text columns null when the retention setting dropped them).</summary>
public sealed record AuditEvent(
    long Id,
    DateTimeOffset OccurredAt,
    string Caller,
    string AuthMethod,
    IReadOnlyList<string> CallerGroups,
    string Surface,
    string? Question,
    string? Answer,
    int? AnswerChars,
    string? AnswerMode,
    IReadOnlyList<AuditSource> Sources,
    string Outcome)
{
    /// <summary>Where this row is in the trail's order (newest first), for keyset paging.</summary>
    public AuditPosition Position => new(OccurredAt, Id);
}

/// <summary>Filters of the trail; null means "any". <see cref="From"/> is inclusive, <see cref="To"/> exclusive.</summary>
public sealed record AuditQuery(string? Caller = null, string? Surface = null, DateTimeOffset? From = null, DateTimeOffset? To = null);

/// <summary>A row's place in the trail's order: newest first, the id breaking ties.</summary>
public sealed record AuditPosition(DateTimeOffset OccurredAt, long Id);
