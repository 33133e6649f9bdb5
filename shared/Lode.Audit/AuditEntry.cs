using Lode.Identity;

namespace Lode.Audit;

/// <summary>
/// One question and what came of it, as a surface reports it. It always carries the full texts:
/// <see cref="AuditLog"/> decides, by <see cref="AuditOptions.TextRetention"/>, what of them is stored.
/// </summary>
/// <param name="Surface">Where the question came in: one of <see cref="AuditSurfaces"/>.</param>
/// <param name="Answer">The answer's text (what was sent so far, for an interrupted stream); null when there is none.</param>
/// <param name="AnswerMode">How the answer was produced (generated, extractive, nosources); null for searches.</param>
/// <param name="Sources">The documents returned (search) or cited (chat).</param>
/// <param name="Outcome"><see cref="AuditOutcomes.Ok"/>, <see cref="AuditOutcomes.Cancelled"/> or the API's error code.</param>
public sealed record AuditEntry(
    Caller Caller,
    string Surface,
    string? Question,
    string? Answer,
    string? AnswerMode,
    IReadOnlyList<AuditSource> Sources,
    string Outcome);

/// <summary>A document page an answer drew on.</summary>
public sealed record AuditSource(string Bucket, string Key, int Page);

/// <summary>The surfaces questions come in through, as stored in <c>audit_events.surface</c>.</summary>
public static class AuditSurfaces
{
    public const string Search = "api/search";
    public const string Chat = "api/chat";
    public const string OpenAiChatCompletions = "v1/chat/completions";
    public const string Teams = "teams";

    /// <summary>A cited document opened through a presigned link (no question; the source is the document and page).</summary>
    public const string Sources = "api/sources";

    /// <summary>An upload signed for a caller (no question; the source is the object, page 0).</summary>
    public const string Uploads = "api/uploads";

    /// <summary>
    /// A retrieval evaluation run by an admin: one row for all its questions (one a line); the sources are the pages
    /// whose passages the report shows (what the misses returned instead).
    /// </summary>
    public const string Evaluation = "api/admin/eval";
}

/// <summary>Outcomes that are not error codes.</summary>
public static class AuditOutcomes
{
    public const string Ok = "ok";

    /// <summary>The caller went away before the answer was complete.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>
    /// A stream recorded before it started (<see cref="AuditOptions.Required"/>) and not finished yet. A row that keeps
    /// it was cut off by a crash: the question was asked and an answer at least begun.
    /// </summary>
    public const string Streaming = "streaming";
}
