using System.Runtime.InteropServices;
using System.Text.Json;
using Lode.Embeddings;
using Lode.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>
/// POST v1/embeddings: the index's own embedding model, OpenAI-compatible (input as a string or an array of strings;
/// encoding_format float or base64, which the official clients ask for by default).
/// </summary>
public sealed class OpenAiEmbeddings(ApiCallers callers, MiniLmEmbeddingGenerator embedder)
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
        if (body.Dimensions is { } dimensions && dimensions != embedder.Dimensions)
            return ApiErrors.Result(400, "invalid_dimensions", $"{embedder.ModelName} has {embedder.Dimensions} dimensions.");
        var base64 = body.EncodingFormat switch
        {
            null or "float" => false,
            "base64" => true,
            _ => (bool?)null,
        };
        if (base64 is null) return ApiErrors.Result(400, "invalid_encoding_format", "encoding_format must be float or base64.");

        var embeddings = await embedder.GenerateAsync(inputs, cancellationToken: cancellationToken);
        var tokens = inputs.Sum(embedder.CountTokens);
        var data = embeddings.Select((e, i) => new OpenAiEmbedding("embedding", i,
            base64.Value ? Convert.ToBase64String(MemoryMarshal.AsBytes(e.Vector.Span)) : e.Vector.ToArray())).ToList();
        return new OkObjectResult(new OpenAiEmbeddingResponse("list", data, embedder.ModelName, new OpenAiEmbeddingUsage(tokens, tokens)));
    }
}
