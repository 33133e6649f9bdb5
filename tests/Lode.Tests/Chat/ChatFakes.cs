using Lode.Chat.Models;
using Lode.Retrieval;
using Microsoft.Extensions.AI;

namespace Lode.Tests.Chat;

/// <summary>A retriever returning fixed chunks, recording the queries it was asked: for the chat pipeline's own logic.</summary>
public sealed class FixedRetriever(params RetrievedChunk[] chunks) : IRetriever
{
    public List<SearchRequest> Requests { get; } = [];

    public Task<IReadOnlyList<RetrievedChunk>> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        return Task.FromResult<IReadOnlyList<RetrievedChunk>>(chunks.Take(request.Top).ToList());
    }

    public static RetrievedChunk Chunk(string key, int page, string text) =>
        new(Guid.NewGuid(), "docs", key, page, page, text, 1.0);
}

/// <summary>
/// A language model with a whitespace "tokenizer" and scripted replies, for prompt budgeting and event-order logic.
/// Real generation is tested with LLamaSharp and a GGUF elsewhere.
/// </summary>
public sealed class ScriptedModel(int contextTokens, int maxOutputTokens, params string[] replies) : ILanguageModel, IChatClient
{
    private int _next;

    public List<IReadOnlyList<ChatMessage>> Prompts { get; } = [];
    public string ModelId => "scripted";
    public IChatClient Client => this;
    public int ContextTokens => contextTokens;
    public int MaxOutputTokens => maxOutputTokens;

    public int CountTokens(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Prompts.Add(messages.ToList());
        var reply = replies[Math.Min(_next++, replies.Length - 1)];
        foreach (var word in reply.Split(' '))
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, word + " ");
        }
        yield return new ChatResponseUpdate
        {
            FinishReason = ChatFinishReason.Stop,
            Contents = [new UsageContent(new UsageDetails { InputTokenCount = 100, OutputTokenCount = reply.Split(' ').Length })],
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}

/// <summary>
/// A language model that never gets an answer out: it either accepts the request and then produces nothing until
/// cancelled (a model far too slow for the caller's deadline), or refuses it as busy. Records whether it was cancelled.
/// </summary>
public sealed class StalledModel : ILanguageModel, IChatClient
{
    private readonly bool _busy;

    private StalledModel(bool busy) => _busy = busy;

    public static StalledModel NeverFinishing() => new(busy: false);

    public static StalledModel AlwaysBusy() => new(busy: true);

    public int Requests { get; private set; }
    public bool GenerationCancelled { get; private set; }
    public string ModelId => "stalled";
    public IChatClient Client => this;
    public int ContextTokens => 4096;
    public int MaxOutputTokens => 256;

    public int CountTokens(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Requests++;
        if (_busy) throw new ModelBusyException(TimeSpan.FromSeconds(3));
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            GenerationCancelled = true;
            throw;
        }
        yield break;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
