using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using Polly;
using Polly.CircuitBreaker;
using ChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace Lode.Chat.Models;

/// <summary>
/// An LLM behind an on-premises OpenAI-compatible server (llama.cpp's <c>llama-server</c>, vLLM, …), through
/// Microsoft.Extensions.AI.OpenAI. The server does not say its context size, so <see cref="LlmOptions.ContextSize"/>
/// must match how it was started; token counts are an estimate (<see cref="CountTokens"/>). The answer limit is sent
/// as <c>max_tokens</c>, which every such server understands (the OpenAI SDK itself would send only
/// <c>max_completion_tokens</c>, which older llama.cpp servers ignore). A 429 or 503 from the server becomes
/// <see cref="ModelBusyException"/> with the server's Retry-After. In front of the server, the same admission limits as
/// the in-process model: at most <see cref="LlmOptions.MaxConcurrentRequests"/> requests at once, a bounded timed queue
/// (<see cref="AdmissionGate"/>), and a circuit breaker that refuses at once while the server keeps failing
/// (<see cref="ServerCircuitBreaker"/>).
/// </summary>
public sealed class OpenAiCompatibleLanguageModel : ILanguageModel, ILanguageModelDiagnostics, IDisposable
{
    private readonly OnPremisesChatClient _client;
    private readonly HttpClient? _ownTransport;

    /// <param name="options">Endpoint, Model, ApiKey, ContextSize, MaxOutputTokens, Temperature, Seed, RequestTimeoutSeconds.</param>
    /// <param name="transport">The HTTP client to send requests with; null: one of its own that follows no redirects.</param>
    /// <param name="timeProvider">The breaker's clock (tests); null: the system clock.</param>
    public OpenAiCompatibleLanguageModel(LlmOptions options, HttpClient? transport = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException($"Llm:Endpoint '{options.Endpoint}' is not an absolute http(s) URL.");
        }

        if (string.IsNullOrWhiteSpace(options.Model))
        {
            throw new InvalidOperationException("Llm:Model is required for Llm:Provider 'openai'.");
        }

        ModelId = options.Model;
        ContextTokens = options.ContextSize;
        MaxOutputTokens = options.MaxOutputTokens;
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = endpoint,
            NetworkTimeout = TimeSpan.FromSeconds(options.RequestTimeoutSeconds),
            RetryPolicy = new NotWhenBusyRetryPolicy(),
        };
        // The SDK's shared client follows redirects: a model server (or whoever answers at its address) could send the
        // prompt, with the user's question, the retrieved passages and the API key's Authorization header, to any host.
        // Only Llm:Endpoint is a permitted destination, so a 3xx is an error, never a hop.
        transport ??= _ownTransport = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false })
        {
            // The pipeline's NetworkTimeout (Llm:RequestTimeoutSeconds) is the one limit, as with the SDK's own client.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        clientOptions.Transport = new HttpClientPipelineTransport(transport);

        // Servers started without a key ignore the Authorization header; the SDK insists on sending one.
        var credential = new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? "no-key" : options.ApiKey);
        var chat = new ChatClient(options.Model, credential, clientOptions);
        var gate = new AdmissionGate(options.MaxConcurrentRequests, options.MaxQueuedRequests, TimeSpan.FromSeconds(options.QueueTimeoutSeconds));
        _client = new OnPremisesChatClient(chat.AsIChatClient(), options, gate, ServerCircuitBreaker.Create(options, timeProvider));
    }

    public string ModelId { get; }

    public IChatClient Client => _client;

    public int ContextTokens { get; }

    public int MaxOutputTokens { get; }

    /// <summary>
    /// An estimate meant to err high, since the server's tokenizer is not at hand: one token per 3 ASCII characters
    /// (English averages ~4 per token) plus one per other UTF-16 unit (accented letters, CJK, emoji halves), which
    /// most tokenizers spend at most one token on. Text made mostly of rare multi-byte characters can still cost more.
    /// </summary>
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ascii = 0;
        var other = 0;
        foreach (var c in text)
        {
            if (c < 128)
            {
                ascii++;
            }
            else
            {
                other++;
            }
        }

        return (ascii + 2) / 3 + other;
    }

    public LanguageModelStatus GetStatus() => new(
        LlmProviders.OpenAi, ModelId, ContextTokens, MaxOutputTokens,
        _client.Gate.Busy, _client.Gate.MaxConcurrent, _client.Gate.Queued, _client.Gate.MaxQueued, "server");

    public void Dispose()
    {
        _client.Dispose();
        _ownTransport?.Dispose();
    }

    /// <summary>
    /// One retry for a dropped connection or a server error, none for "busy" (429, 503): waiting out the server's
    /// Retry-After here would hold the caller's request; the caller gets 503 + Retry-After instead.
    /// </summary>
    private sealed class NotWhenBusyRetryPolicy() : ClientRetryPolicy(maxRetries: 1)
    {
        protected override bool ShouldRetry(PipelineMessage message, Exception? exception) =>
            !IsBusyStatus(message.Response?.Status) && base.ShouldRetry(message, exception);

        protected override ValueTask<bool> ShouldRetryAsync(PipelineMessage message, Exception? exception) =>
            IsBusyStatus(message.Response?.Status) ? ValueTask.FromResult(false) : base.ShouldRetryAsync(message, exception);
    }

    private static bool IsBusyStatus(int? status) =>
        status is (int)HttpStatusCode.TooManyRequests or (int)HttpStatusCode.ServiceUnavailable;

    /// <summary>
    /// Applies the configured defaults (answer limit as <c>max_tokens</c>, temperature, seed), admits through the gate
    /// and the breaker, and maps "busy" answers and an open breaker to <see cref="ModelBusyException"/>. A stream holds
    /// its admission place until it ends and counts once in the breaker, with how it ended: a server that dies after
    /// its first chunk fails the stream (<see cref="ModelStreamFailedException"/> when it just stops) and counts as
    /// a failure, so a server that keeps dying mid-answer opens the breaker like one that refuses connections.
    /// </summary>
    private sealed class OnPremisesChatClient(IChatClient inner, LlmOptions options, AdmissionGate gate, ResiliencePipeline breaker)
        : DelegatingChatClient(inner)
    {
        public AdmissionGate Gate => gate;

        public override async Task<ChatResponse> GetResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default)
        {
            using var ticket = await gate.EnterAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await breaker.ExecuteAsync(
                    async token => await base.GetResponseAsync(messages, Prepare(chatOptions), token).ConfigureAwait(false),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (ClientResultException e) when (IsBusy(e))
            {
                throw Busy(e);
            }
            catch (BrokenCircuitException e)
            {
                throw ServerCircuitBreaker.Refusal(e, options);
            }
        }

        public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            using var ticket = await gate.EnterAsync(cancellationToken).ConfigureAwait(false);
            var call = await EnterBreakerAsync(cancellationToken).ConfigureAwait(false);
            await using (call.ConfigureAwait(false))
            {
                var updates = base.GetStreamingResponseAsync(messages, Prepare(chatOptions), cancellationToken).GetAsyncEnumerator(cancellationToken);
                await using (updates.ConfigureAwait(false))
                {
                    var finished = false;
                    while (true)
                    {
                        try
                        {
                            // A caller who left stops here, even when the next chunks are already buffered.
                            cancellationToken.ThrowIfCancellationRequested();
                            if (!await updates.MoveNextAsync().ConfigureAwait(false))
                            {
                                // A complete stream says why it finished; one that just stops was cut off.
                                if (!finished)
                                {
                                    throw new ModelStreamFailedException();
                                }

                                break;
                            }
                        }
                        catch (Exception e)
                        {
                            call.Failed(e);
                            if (e is ClientResultException busy && IsBusy(busy))
                            {
                                throw Busy(busy);
                            }

                            throw;
                        }

                        finished |= updates.Current.FinishReason is not null;
                        yield return updates.Current;
                    }

                    call.Succeeded();
                }
            }
        }

        /// <summary>Enters the breaker for a whole stream, or refuses at once while it is open.</summary>
        private async Task<ServerCircuitBreaker.Call> EnterBreakerAsync(CancellationToken cancellationToken)
        {
            try
            {
                return await ServerCircuitBreaker.Call.EnterAsync(breaker, cancellationToken).ConfigureAwait(false);
            }
            catch (BrokenCircuitException e)
            {
                throw ServerCircuitBreaker.Refusal(e, options);
            }
        }

        private ChatOptions Prepare(ChatOptions? requested)
        {
            var prepared = requested?.Clone() ?? new ChatOptions();
            var maxTokens = Math.Min(prepared.MaxOutputTokens ?? options.MaxOutputTokens, options.MaxOutputTokens);
            prepared.MaxOutputTokens = null; // sent as max_tokens below instead of max_completion_tokens
            prepared.Temperature ??= options.Temperature;
            prepared.Seed ??= options.Seed;
            var requestedFactory = prepared.RawRepresentationFactory;
            prepared.RawRepresentationFactory = client =>
            {
                var raw = requestedFactory?.Invoke(client) as ChatCompletionOptions ?? new ChatCompletionOptions();
#pragma warning disable SCME0001 // JsonPatch is marked experimental; it is the SDK's only way to add a request property.
                raw.Patch.Set("$.max_tokens"u8, maxTokens);
#pragma warning restore SCME0001
                return raw;
            };
            return prepared;
        }

        private static bool IsBusy(ClientResultException e) => IsBusyStatus(e.Status);

        private static ModelBusyException Busy(ClientResultException e)
        {
            var retryAfter = TimeSpan.FromSeconds(5);
            if (e.GetRawResponse()?.Headers.TryGetValue("Retry-After", out var value) == true && value is not null)
            {
                if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                {
                    retryAfter = TimeSpan.FromSeconds(Math.Max(1, seconds));
                }
                else if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                {
                    retryAfter = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling((at - DateTimeOffset.UtcNow).TotalSeconds)));
                }
            }

            return new ModelBusyException(retryAfter);
        }
    }
}
