using System.Text.Json;
using System.Text.Json.Serialization;
using Lode.Chat;
using Lode.Identity;

namespace Lode.Functions.Http;

// The OpenAI wire format (snake_case), as far as Lode speaks it: enough for the official clients.

public sealed record OpenAiChatRequest(
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("messages")] IReadOnlyList<OpenAiMessage>? Messages,
    [property: JsonPropertyName("stream")] bool? Stream,
    [property: JsonPropertyName("stream_options")] OpenAiStreamOptions? StreamOptions,
    [property: JsonPropertyName("max_tokens")] int? MaxTokens,
    [property: JsonPropertyName("max_completion_tokens")] int? MaxCompletionTokens,
    [property: JsonPropertyName("temperature")] float? Temperature)
{
    public ChatRequest ToChatRequest(Caller caller) => new(
        (Messages ?? []).Select(m => new ChatTurn(m.Role?.ToLowerInvariant() switch
        {
            "developer" => "system",
            { } role => role,
            null => "",
        }, m.Text())).ToList(),
        caller.Groups,
        MaxOutputTokens: MaxCompletionTokens ?? MaxTokens,
        Temperature: Temperature);
}

public sealed record OpenAiStreamOptions([property: JsonPropertyName("include_usage")] bool? IncludeUsage);

/// <summary>A message; content is a string or an array of parts of which the text parts are read.</summary>
public sealed record OpenAiMessage(
    [property: JsonPropertyName("role")] string? Role,
    [property: JsonPropertyName("content")] JsonElement Content)
{
    public string Text() => Content.ValueKind switch
    {
        JsonValueKind.String => Content.GetString() ?? "",
        JsonValueKind.Array => string.Concat(Content.EnumerateArray()
            .Where(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("type", out var t) && t.GetString() == "text")
            .Select(p => p.TryGetProperty("text", out var text) ? text.GetString() : "")),
        _ => "",
    };
}

public sealed record OpenAiUsage(
    [property: JsonPropertyName("prompt_tokens")] int PromptTokens,
    [property: JsonPropertyName("completion_tokens")] int CompletionTokens,
    [property: JsonPropertyName("total_tokens")] int TotalTokens)
{
    public static OpenAiUsage From(ChatUsage u) => new(u.PromptTokens, u.CompletionTokens, u.TotalTokens);
}

public sealed record OpenAiChoice(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("message")] OpenAiResponseMessage Message,
    [property: JsonPropertyName("finish_reason")] string FinishReason);

public sealed record OpenAiResponseMessage(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("content")] string Content);

/// <summary>chat.completion; <see cref="Citations"/> is Lode's addition (clients ignore unknown fields).</summary>
public sealed record OpenAiChatResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("choices")] IReadOnlyList<OpenAiChoice> Choices,
    [property: JsonPropertyName("usage")] OpenAiUsage Usage,
    [property: JsonPropertyName("citations")] IReadOnlyList<CitationView> Citations);

public sealed record OpenAiDelta(
    [property: JsonPropertyName("role"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role,
    [property: JsonPropertyName("content"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Content);

public sealed record OpenAiChunkChoice(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("delta")] OpenAiDelta Delta,
    [property: JsonPropertyName("finish_reason")] string? FinishReason);

/// <summary>chat.completion.chunk: one streamed piece.</summary>
public sealed record OpenAiChatChunk(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("choices")] IReadOnlyList<OpenAiChunkChoice> Choices,
    [property: JsonPropertyName("usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] OpenAiUsage? Usage,
    [property: JsonPropertyName("citations"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<CitationView>? Citations);

public sealed record OpenAiEmbeddingRequest(
    [property: JsonPropertyName("input")] JsonElement Input,
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("encoding_format")] string? EncodingFormat,
    [property: JsonPropertyName("dimensions")] int? Dimensions,
    // Not OpenAI's: "document" (default) or "query" (see OpenAiEmbeddings).
    [property: JsonPropertyName("input_type")] string? InputType = null);

public sealed record OpenAiEmbedding(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("embedding")] object Embedding);

public sealed record OpenAiEmbeddingResponse(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("data")] IReadOnlyList<OpenAiEmbedding> Data,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("usage")] OpenAiEmbeddingUsage Usage);

public sealed record OpenAiEmbeddingUsage(
    [property: JsonPropertyName("prompt_tokens")] int PromptTokens,
    [property: JsonPropertyName("total_tokens")] int TotalTokens);

public sealed record OpenAiModel(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("owned_by")] string OwnedBy);

public sealed record OpenAiList<T>(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("data")] IReadOnlyList<T> Data);
