using System.Runtime.CompilerServices;
using LLama.Exceptions;
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
        var lease = await model.Pool.AcquireAsync(cancellationToken).ConfigureAwait(false);
        LlamaSharpGeneration generation;
        try
        {
            generation = new LlamaSharpGeneration(lease.Resource, model.Weights, request);
        }
        catch
        {
            lease.Dispose();
            throw;
        }

        try
        {
            await RunNative(() => generation.Prefill(cancellationToken), lease, cancellationToken).ConfigureAwait(false);
            while (await RunNative(() => generation.Next(cancellationToken), lease, cancellationToken).ConfigureAwait(false) is { } text)
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
            generation.Dispose();
            lease.Dispose();
        }

        var usage = new UsageDetails
        {
            InputTokenCount = generation.InputTokens,
            OutputTokenCount = generation.OutputTokens,
            TotalTokenCount = generation.InputTokens + generation.OutputTokens,
        };
        var last = Update([new UsageContent(usage)]);
        last.FinishReason = generation.FinishReason;
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
        var prompt = model.TokenizePrompt(messages);
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
            maxOutput,
            Math.Max(0, options?.Temperature ?? model.Options.Temperature),
            seed,
            options?.TopP,
            options?.TopK,
            options?.FrequencyPenalty,
            options?.PresencePenalty,
            stops);
    }

    /// <summary>
    /// Runs one native step off the caller's thread. A native failure leaves the context in an unknown state: the
    /// lease is then told not to reuse it. Cancellation does not (it only happens between decode calls).
    /// </summary>
    private static async Task<TResult> RunNative<TResult>(Func<TResult> step, SequencePool<LLama.LLamaContext>.Lease lease, CancellationToken cancellationToken)
    {
        try
        {
            return await Task.Run(step, cancellationToken).ConfigureAwait(false);
        }
        catch (RuntimeError)
        {
            lease.Discard();
            throw;
        }
    }

    private static Task RunNative(Action step, SequencePool<LLama.LLamaContext>.Lease lease, CancellationToken cancellationToken) =>
        RunNative(() => { step(); return true; }, lease, cancellationToken);
}
