namespace Lode.Audit;

/// <summary>
/// The audit row could not be written and <see cref="AuditOptions.Required"/> is set: the question must not be
/// answered. HTTP maps it to 503. The message names no question text.
/// </summary>
public sealed class AuditUnavailableException()
    : Exception("The audit trail cannot be written, and answers are only given once they are recorded. Try again later.");
