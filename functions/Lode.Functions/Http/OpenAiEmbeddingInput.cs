using System.Runtime.InteropServices;
using System.Text.Json;
using Lode.Database.Generations;
using Lode.Embeddings;

namespace Lode.Functions.Http;

/// <summary>What a POST v1/embeddings body asks for, checked against the index generation that will embed it.</summary>
public sealed record OpenAiEmbeddingInput(IReadOnlyList<string> Inputs, bool Base64, EmbeddingInputKind Kind)
{
    public const int MaxInputs = 256;

    /// <summary>The checked request; throws the 400 for the first thing wrong, in the order the fields are documented.</summary>
    public static OpenAiEmbeddingInput From(OpenAiEmbeddingRequest body, IndexGeneration generation)
    {
        List<string>? inputs = body.Input.ValueKind switch
        {
            JsonValueKind.String => [body.Input.GetString()!],
            JsonValueKind.Array when body.Input.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
                body.Input.EnumerateArray().Select(e => e.GetString()!).ToList(),
            _ => null,
        };
        if (inputs is not { Count: > 0 and <= MaxInputs })
            throw ApiException.BadRequest("invalid_input", $"input must be a string or an array of 1 to {MaxInputs} strings.");
        if (body.Dimensions is { } dimensions && dimensions != generation.Dimensions)
            throw ApiException.BadRequest("invalid_dimensions", $"{generation.Model} has {generation.Dimensions} dimensions.");
        var base64 = body.EncodingFormat switch
        {
            null or "float" => false,
            "base64" => true,
            _ => throw ApiException.BadRequest("invalid_encoding_format", "encoding_format must be float or base64."),
        };
        var kind = body.InputType switch
        {
            null or "document" => EmbeddingInputKind.Document,
            "query" => EmbeddingInputKind.Query,
            _ => throw ApiException.BadRequest("invalid_input_type", "input_type must be document or query."),
        };
        return new OpenAiEmbeddingInput(inputs, base64, kind);
    }

    /// <summary>One vector as the caller asked for it: floats, or their little-endian bytes in base64.</summary>
    public object Encode(ReadOnlyMemory<float> vector) =>
        Base64 ? Convert.ToBase64String(MemoryMarshal.AsBytes(vector.Span)) : vector.ToArray();
}
