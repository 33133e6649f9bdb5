namespace Lode.Chat.Models;

/// <summary>
/// Optional companion of <see cref="ILanguageModel"/>: what the model is and how loaded it is right now, for health
/// and metrics. Separate from <see cref="ILanguageModel"/> so test doubles of that contract need not implement it.
/// </summary>
public interface ILanguageModelDiagnostics
{
    LanguageModelStatus GetStatus();
}

/// <summary>A snapshot of a language model's configuration and load.</summary>
/// <param name="Provider">The <see cref="LlmOptions.Provider"/> value (<c>llamasharp</c>, <c>openai</c>).</param>
/// <param name="ModelId">The id callers see.</param>
/// <param name="ContextTokens">Context window in tokens.</param>
/// <param name="MaxOutputTokens">Tokens reserved for the answer.</param>
/// <param name="BusySequences">Requests generating now (in flight, for a remote server).</param>
/// <param name="MaxConcurrentSequences">Most requests generating at once (null: the remote server decides).</param>
/// <param name="QueuedRequests">Requests waiting for a free sequence.</param>
/// <param name="MaxQueuedRequests">Most requests that may wait (null: the remote server decides).</param>
/// <param name="ChatTemplate">Where the prompt format comes from (e.g. <c>gguf</c>, <c>plain fallback</c>, <c>server</c>).</param>
public sealed record LanguageModelStatus(
    string Provider,
    string ModelId,
    int ContextTokens,
    int MaxOutputTokens,
    int BusySequences,
    int? MaxConcurrentSequences,
    int QueuedRequests,
    int? MaxQueuedRequests,
    string ChatTemplate);
