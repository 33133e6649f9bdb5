using Microsoft.Extensions.AI;

namespace Lode.Chat.Models;

/// <summary>
/// The configured LLM: its <see cref="IChatClient"/> plus what prompt building needs to know about it. With no LLM
/// configured there is no <see cref="ILanguageModel"/> registration and chat answers extractively.
/// </summary>
public interface ILanguageModel
{
    /// <summary>Model id shown to callers (v1/models, responses).</summary>
    string ModelId { get; }

    IChatClient Client { get; }

    /// <summary>The context window in tokens: prompt plus answer must fit.</summary>
    int ContextTokens { get; }

    /// <summary>Tokens the model reserves for its answer; the prompt gets the rest.</summary>
    int MaxOutputTokens { get; }

    /// <summary>
    /// Tokens a piece of text costs in this model's prompt. Exact where the model's tokenizer is at hand (GGUF),
    /// a conservative estimate otherwise (remote servers).
    /// </summary>
    int CountTokens(string text);
}

/// <summary>
/// The model cannot take another request now (all sequences busy and the wait queue full, or the wait timed out).
/// HTTP maps it to 503 with Retry-After.
/// </summary>
public sealed class ModelBusyException(TimeSpan retryAfter)
    : Exception($"The language model is busy; retry after {retryAfter.TotalSeconds:F0} s.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
