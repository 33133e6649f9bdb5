using Lode.Functions.Http;
using Lode.Retrieval;
using Lode.Retrieval.Evaluation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Lode.Functions;

/// <summary>
/// POST api/admin/eval <c>{questions:[{question, document, pages, tags?, id?}], bucket?, prefix?, top?, modes?}</c>
/// (admins only): runs every question through the live index as the caller, in each mode, and answers the report
/// (hit@1/3/5/10 and MRR per mode and tag, each question's ranks, the misses with what came back instead). One audit
/// row per evaluation.
/// </summary>
public sealed class EvaluateRetrieval(ApiCallers callers, RetrievalEvaluator evaluator, IOptions<RetrievalOptions> options, QuestionAudit audit)
{
    [Function(nameof(EvaluateRetrieval))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/admin/eval")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var check = await callers.AuthenticateAdminAsync(request, cancellationToken);
        if (check.Refused) return check.Refusal;
        var (body, invalid) = await JsonBody.ReadAsync<EvaluationBody>(request, EvaluationBody.MaxBytes, cancellationToken);
        if (invalid is not null) return invalid;
        if (body!.Refusal(options.Value) is { } refusal) return refusal;

        var (questions, evaluation) = body.EvaluationFor(check.Caller);
        var report = await evaluator.EvaluateAsync(questions, evaluation, cancellationToken);
        return await audit.EvaluatedAsync(check.Caller, report, new OkObjectResult(report));
    }
}
