using Lode.Identity;

namespace Lode.Audit;

/// <summary>
/// Records that a caller was given access to a document's bytes (a source link, an upload): who read or wrote what is
/// as much the trail's business as who asked what. One row, no question; the source is the document (and page).
/// </summary>
public sealed class AccessAudit(AuditLog log)
{
    /// <exception cref="AuditUnavailableException">Not written, and <see cref="AuditOptions.Required"/> is set.</exception>
    public Task AccessedAsync(Caller caller, string surface, AuditSource document) =>
        log.RecordAsync(new AuditEntry(caller, surface, Question: null, Answer: null, AnswerMode: null, [document], AuditOutcomes.Ok),
            CancellationToken.None);
}
