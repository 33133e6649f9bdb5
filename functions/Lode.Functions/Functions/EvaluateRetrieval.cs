using Lode.Audit;
using Lode.Functions.Http;
using Lode.Retrieval;
using Lode.Retrieval.Evaluation;
using Lode.Identity;
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
public sealed class EvaluateRetrieval(AuditedEvaluation evaluator, IOptions<RetrievalOptions> options)
{
    [Function(nameof(EvaluateRetrieval)), CallerAccess(AllowedCallers.Admin), MaxBody(EvaluationBody.MaxBytes)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/admin/eval")] HttpRequest request,
        [Body] EvaluationBody body, Caller caller, CancellationToken cancellationToken)
    {
        body.Validate(options.Value);
        var (questions, evaluation) = body.EvaluationFor(caller);
        var report = await evaluator.EvaluateAsync(caller, questions, evaluation, cancellationToken);
        return new OkObjectResult(report);
    }
}
