using System.ComponentModel.DataAnnotations;

namespace Lode.Audit;

/// <summary>Configuration section <c>Audit</c>: the trail of every question asked (table <c>audit_events</c>).</summary>
public sealed class AuditOptions
{
    public const string SectionName = "Audit";

    public const string KeepNoText = "none";
    public const string KeepQuestion = "question";
    public const string KeepQuestionAndAnswer = "question-and-answer";

    /// <summary>Record questions at all. Off, nothing is written (and <see cref="Required"/> has no effect).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// What text is stored: <c>none</c> (who, when, where, which documents, how long an answer), <c>question</c>, or
    /// <c>question-and-answer</c>. The table is append-only, so text not kept is never written rather than purged later.
    /// </summary>
    [AllowedValues(KeepNoText, KeepQuestion, KeepQuestionAndAnswer,
        ErrorMessage = "Audit:TextRetention must be none, question or question-and-answer.")]
    public string TextRetention { get; set; } = KeepQuestion;

    /// <summary>
    /// Fail closed: a question whose audit row cannot be written gets 503 instead of its answer (streams: the row is
    /// written before the first byte is sent). Off, the failure is logged and the answer given anyway.
    /// </summary>
    public bool Required { get; set; }

    internal bool KeepsQuestion => TextRetention is KeepQuestion or KeepQuestionAndAnswer;

    internal bool KeepsAnswer => TextRetention is KeepQuestionAndAnswer;
}
