using Lode.Audit;
using Lode.Functions.Http;
using Lode.Retrieval;
using Lode.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Lode.Functions;

/// <summary>
/// POST api/search <c>{query, top?, bucket?, prefix?, contentType?, mode?}</c>: the chunks that best answer the
/// query, hybrid (vector + full text, fused) unless <c>mode</c> is <c>vector</c> or <c>text</c>.
/// </summary>
public sealed class Search(AuditedSearch searches, IOptions<RetrievalOptions> options)
{
    [Function(nameof(Search)), CallerAccess(AllowedCallers.Caller), MaxBody(64 << 10)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/search")] HttpRequest request,
        [Body] SearchBody body, Caller caller, CancellationToken cancellationToken)
    {
        var search = body.ToSearchRequest(caller, options.Value);
        var chunks = await searches.SearchAsync(caller, search, cancellationToken);
        return new OkObjectResult(new SearchResponse(chunks.Select(SearchHit.From).ToList()));
    }
}
