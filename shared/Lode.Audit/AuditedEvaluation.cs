using Lode.Evaluation;
using Lode.Identity;
using Lode.Retrieval.Evaluation;

namespace Lode.Audit;

/// <summary>
/// The retrieval evaluator as the admin surface reaches it: an evaluation is one row (not one per question: it is one
/// request, and its searches return nothing but what the report shows), holding the questions, one a line, and the
/// pages whose passages the report shows: the misses' returned passages.
/// </summary>
public sealed class AuditedEvaluation(RetrievalEvaluator evaluator, AuditLog log)
{
    /// <inheritdoc cref="RetrievalEvaluator.EvaluateAsync"/>
    public async Task<EvaluationReport> EvaluateAsync(Caller caller, IReadOnlyList<EvaluationQuestion> questions, EvaluationOptions options,
        CancellationToken ct)
    {
        var report = await evaluator.EvaluateAsync(questions, options, ct);
        await log.RecordAsync(new AuditEntry(caller, AuditSurfaces.Evaluation, string.Join('\n', report.Questions.Select(q => q.Question.Question)),
            Answer: null, AnswerMode: null,
            AuditSourceLists.Distinct(report.Misses.SelectMany(m => m.Returned).Select(p => new AuditSource(p.Bucket, p.Key, p.Page))),
            AuditOutcomes.Ok), CancellationToken.None);
        return report;
    }
}
