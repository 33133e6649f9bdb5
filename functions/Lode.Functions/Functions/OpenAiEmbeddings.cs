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
public sealed class OpenAiEmbeddings(CurrentIndexGeneration currentGeneration, IEmbeddingModelRegistry embedders)
{
    [Function(nameof(OpenAiEmbeddings)), CallerAccess(AllowedCallers.Caller), MaxBody(4 << 20)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/embeddings")] HttpRequest request,
        [Body] OpenAiEmbeddingRequest body, CancellationToken cancellationToken)
    {
        var generation = await currentGeneration.GetAsync(cancellationToken);
        var input = OpenAiEmbeddingInput.From(body, generation);
        var options = new EmbeddingGenerationOptions().WithInputKind(input.Kind);
        var embeddings = await embedders.Generator(generation.Model).GenerateAsync(input.Inputs, options, cancellationToken);
        var tokens = input.Inputs.Sum(embedders.TokenCounter(generation.Model).CountTokens);
        var data = embeddings.Select((e, i) => new OpenAiEmbedding("embedding", i, input.Encode(e.Vector))).ToList();
        return new OkObjectResult(new OpenAiEmbeddingResponse("list", data, generation.Model, new OpenAiEmbeddingUsage(tokens, tokens)));
    }
}
