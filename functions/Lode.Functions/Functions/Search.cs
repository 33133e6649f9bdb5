using Lode.Functions.Http;
using Lode.Retrieval;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Lode.Functions;

/// <summary>
/// POST api/search <c>{query, top?, bucket?, prefix?, contentType?, mode?}</c>: the chunks that best answer the
/// query, hybrid (vector + full text, fused) unless <c>mode</c> is <c>vector</c> or <c>text</c>.
/// </summary>
public sealed class Search(ApiCallers callers, IRetriever retriever, IOptions<RetrievalOptions> options, QuestionAudit audit)
{
    private const long MaxBodyBytes = 64 << 10;

    [Function(nameof(Search))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/search")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var check = await callers.AuthenticateAsync(request, cancellationToken);
        if (check.Refused) return check.Refusal;

        ReadOnlyMemory<byte> raw;
        try
        {
            raw = await RequestBody.ReadAsync(request, MaxBodyBytes, cancellationToken);
        }
        catch (RequestTooLargeException e)
        {
            return ApiErrors.Result(StatusCodes.Status413PayloadTooLarge, "payload_too_large", e.Message);
        }
        if (SearchBody.Parse(raw, out var jsonError) is not { } body)
            return ApiErrors.Result(StatusCodes.Status400BadRequest, "invalid_json", jsonError!);

        var limits = options.Value;
        if (string.IsNullOrWhiteSpace(body.Query))
            return ApiErrors.Result(StatusCodes.Status400BadRequest, "invalid_query", "query must be a non-empty string.");
        if (body.Query.Length > limits.MaxQueryChars)
            return ApiErrors.Result(StatusCodes.Status400BadRequest, "invalid_query", $"query must be at most {limits.MaxQueryChars} characters.");
        var top = body.Top ?? Math.Min(SearchBody.DefaultTop, limits.MaxTop);
        if (top < 1 || top > limits.MaxTop)
            return ApiErrors.Result(StatusCodes.Status400BadRequest, "invalid_top", $"top must be a whole number from 1 to {limits.MaxTop}.");
        if (!body.TryGetMode(out var mode))
            return ApiErrors.Result(StatusCodes.Status400BadRequest, "invalid_mode", "mode must be one of hybrid, vector, text.");

        var chunks = await retriever.SearchAsync(new SearchRequest(body.Query, check.Caller.Groups, top, body.Filter(), mode, body.IncludeNavigation), cancellationToken);
        return await audit.SearchedAsync(check.Caller, body.Query, chunks, new OkObjectResult(new SearchResponse(chunks.Select(SearchHit.From).ToList())));
    }
}
