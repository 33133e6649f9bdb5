using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Lode.Chat.Models;

/// <summary>
/// <see cref="IChatClient"/> over <see cref="LlamaSharpLanguageModel"/>: streams tokens as they are sampled, reports
/// usage (prompt and answer tokens) and the finish reason, and honours <see cref="ChatOptions.MaxOutputTokens"/>
/// (capped at the model's <see cref="ILanguageModel.MaxOutputTokens"/> and the room left in the context),
/// <see cref="ChatOptions.Temperature"/>, <see cref="ChatOptions.Seed"/>, <see cref="ChatOptions.StopSequences"/>,
/// TopP, TopK and the penalties. Cancellation is checked before every decode call, so a cancelled request (e.g. a
/// disconnected HTTP client) stops within one token and frees its sequence.
/// </summary>
internal sealed class LlamaSharpChatClient(LlamaSharpLanguageModel model) : IChatClient
{
    private readonly ChatClientMetadata _metadata = new("llamasharp", providerUri: null, defaultModelId: model.ModelId);

    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken).ConfigureAwait(false);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var request = CreateRequest(messages, options);
        cancellationToken.ThrowIfCancellationRequested();

        var responseId = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var createdAt = DateTimeOffset.UtcNow;
        var answer = await model.Engine.StartAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            while (await answer.NextAsync(cancellationToken).ConfigureAwait(false) is { } text)
            {
                if (text.Length > 0)
                {
                    yield return Update([new TextContent(text)]);
                }
            }
        }
        finally
        {
            // Before the last update: the sequence is free as soon as generation ends, whatever the caller does next.
            await answer.DisposeAsync().ConfigureAwait(false);
        }

        var usage = new UsageDetails
        {
            InputTokenCount = answer.InputTokens,
            OutputTokenCount = answer.OutputTokens,
            TotalTokenCount = answer.InputTokens + answer.OutputTokens,
        };
        var last = Update([new UsageContent(usage)]);
        last.FinishReason = answer.FinishReason;
        yield return last;

        ChatResponseUpdate Update(IList<AIContent> contents) => new(ChatRole.Assistant, contents)
        {
            ResponseId = responseId,
            MessageId = responseId,
            ModelId = model.ModelId,
            CreatedAt = createdAt,
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : serviceType.IsInstanceOfType(model) ? model
            : null;
    }

    public void Dispose()
    {
        // The model owns the native resources; the client is a view of it.
    }

    private LlamaSharpRequest CreateRequest(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var (prompt, sharedPrefix) = model.TokenizePromptWithPrefix(messages as IReadOnlyList<ChatMessage> ?? messages.ToList());
        var room = model.ContextTokens - prompt.Length;
        if (room < 1)
        {
            throw new ArgumentException(
                $"The prompt has {prompt.Length} tokens, which leaves no room for an answer in the model's {model.ContextTokens}-token context (Llm:ContextSize).",
                nameof(messages));
        }

        if (options?.MaxOutputTokens is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxOutputTokens, "MaxOutputTokens must be at least 1.");
        }

        var maxOutput = Math.Min(Math.Min(options?.MaxOutputTokens ?? model.MaxOutputTokens, model.MaxOutputTokens), room);
        var seed = options?.Seed is { } requested ? unchecked((uint)requested)
            : model.Options.Seed is { } configured ? unchecked((uint)configured)
            : (uint?)null;
        var stops = new List<string>(model.Formatter.ImplicitStopSequences);
        if (options?.StopSequences is { } requestedStops)
        {
            stops.AddRange(requestedStops);
        }

        return new LlamaSharpRequest(
            prompt,
            sharedPrefix,
            maxOutput,
            Math.Max(0, options?.Temperature ?? model.Options.Temperature),
            seed,
            options?.TopP,
            options?.TopK,
            options?.FrequencyPenalty,
            options?.PresencePenalty,
            stops);
    }
}
