using System.Runtime.InteropServices;
using System.Text.Json;
using Lode.Database.Generations;
using Lode.Embeddings;
using Lode.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.AI;

namespace Lode.Functions;

/// <summary>
/// POST v1/embeddings: the index's own embedding model (the current generation's), OpenAI-compatible (input as a string or an array of strings;
/// encoding_format float or base64, which the official clients ask for by default). Inputs are embedded as documents,
/// like the index's chunks, since OpenAI's API has no notion of a query; an extra <c>input_type: "query"</c> (the name
/// other embedding APIs use) embeds them as retrieval queries instead, as api/search does, so that a client searching
/// its own copy of the vectors gets what Lode would compare.
/// </summary>
public sealed class OpenAiEmbeddings(ApiCallers callers, CurrentIndexGeneration currentGeneration, IEmbeddingModelRegistry embedders)
{
    private const long MaxBodyBytes = 4 << 20;
    private const int MaxInputs = 256;

    [Function(nameof(OpenAiEmbeddings))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/embeddings")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var check = await callers.AuthenticateAsync(request, cancellationToken);
        if (check.Refused) return check.Refusal;
        var (body, invalid) = await JsonBody.ReadAsync<OpenAiEmbeddingRequest>(request, MaxBodyBytes, cancellationToken);
        if (invalid is not null) return invalid;

        var inputs = body!.Input.ValueKind switch
        {
            JsonValueKind.String => [body.Input.GetString()!],
            JsonValueKind.Array when body.Input.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
                body.Input.EnumerateArray().Select(e => e.GetString()!).ToList(),
            _ => null,
        };
        if (inputs is not { Count: > 0 and <= MaxInputs })
            return ApiErrors.Result(400, "invalid_input", $"input must be a string or an array of 1 to {MaxInputs} strings.");
        var generation = await currentGeneration.GetAsync(cancellationToken);
        if (body.Dimensions is { } dimensions && dimensions != generation.Dimensions)
            return ApiErrors.Result(400, "invalid_dimensions", $"{generation.Model} has {generation.Dimensions} dimensions.");
        var base64 = body.EncodingFormat switch
        {
            null or "float" => false,
            "base64" => true,
            _ => (bool?)null,
        };
        if (base64 is null) return ApiErrors.Result(400, "invalid_encoding_format", "encoding_format must be float or base64.");
        EmbeddingInputKind? kind = body.InputType switch
        {
            null or "document" => EmbeddingInputKind.Document,
            "query" => EmbeddingInputKind.Query,
            _ => null,
        };
        if (kind is null) return ApiErrors.Result(400, "invalid_input_type", "input_type must be document or query.");

        var options = new EmbeddingGenerationOptions().WithInputKind(kind.Value);
        var embeddings = await embedders.Generator(generation.Model).GenerateAsync(inputs, options, cancellationToken);
        var tokens = inputs.Sum(embedders.TokenCounter(generation.Model).CountTokens);
        var data = embeddings.Select((e, i) => new OpenAiEmbedding("embedding", i,
            base64.Value ? Convert.ToBase64String(MemoryMarshal.AsBytes(e.Vector.Span)) : e.Vector.ToArray())).ToList();
        return new OkObjectResult(new OpenAiEmbeddingResponse("list", data, generation.Model, new OpenAiEmbeddingUsage(tokens, tokens)));
    }
}
