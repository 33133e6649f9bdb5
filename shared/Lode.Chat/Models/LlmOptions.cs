namespace Lode.Chat.Models;

/// <summary>
/// Which LLM answers chat, and how (configuration section <c>Llm</c>). One flat section for every provider: each
/// provider reads the keys it needs, start-up validation checks those (<see cref="LlmOptionsValidator"/>).
/// </summary>
public sealed class LlmOptions
{
    /// <summary>Conventional configuration section name.</summary>
    public const string SectionName = "Llm";

    /// <summary>
    /// <c>none</c> (default: no <see cref="ILanguageModel"/> is registered and chat answers extractively),
    /// <c>llamasharp</c> (a GGUF model in this process) or <c>openai</c> (an on-premises OpenAI-compatible server such
    /// as llama.cpp's server or vLLM). Case-insensitive.
    /// </summary>
    public string Provider { get; set; } = LlmProviders.None;

    // ---- shared by both providers ----

    /// <summary>
    /// Context in tokens. LLamaSharp, batched (default): the KV cache all concurrent answers share; a request is
    /// admitted when its prompt plus its answer limit fit in what is free, and one answer's window (prompt plus answer)
    /// is this capped at the model's trained context (0 = the trained context). LLamaSharp per-context: the context each
    /// sequence allocates. OpenAI-compatible: what the server was started with (it does not say), so prompts are
    /// budgeted to fit.
    /// </summary>
    public int ContextSize { get; set; } = 4096;

    /// <summary>Most tokens an answer may have; a request's own limit (ChatOptions.MaxOutputTokens) may only lower it.</summary>
    public int MaxOutputTokens { get; set; } = 512;

    /// <summary>Sampling temperature when a request does not set one (0 = greedy).</summary>
    public float Temperature { get; set; } = 0.2f;

    /// <summary>Sampling seed when a request does not set one. Fixed seed + same prompt → same answer. Unset: random per request.</summary>
    public int? Seed { get; set; }

    // ---- llamasharp ----

    /// <summary>Path of the GGUF model file (llamasharp).</summary>
    public string? ModelPath { get; set; }

    /// <summary>Layers offloaded to the GPU (llamasharp; needs the CUDA build, see docs/gpu.md). 0 = CPU only.</summary>
    public int GpuLayers { get; set; }

    /// <summary>Threads for generation and prompt processing (llamasharp). 0 = llama.cpp's default.</summary>
    public int Threads { get; set; }

    /// <summary>
    /// Tokens per llama.cpp decode call (llamasharp). Batched: one step's tokens, i.e. the next token of every running
    /// answer plus prompt chunks in the room left, so it bounds how long a step (and so the pause between two tokens
    /// of a running answer) can take while long prompts arrive. Cancellation is checked between calls.
    /// </summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>
    /// Every answer in one llama.cpp context, batched (llamasharp, default true): one decode step carries a token of
    /// each running answer, sequences join and leave between steps, and the system prompt is evaluated once and shared.
    /// False: each answer in a context of its own (<see cref="ContextSize"/> tokens each), one decode call per token.
    /// </summary>
    public bool BatchedDecoding { get; set; } = true;

    /// <summary>
    /// Requests that generate at the same time (llamasharp). Batched: sequences in the shared context (their cache
    /// cells come from <see cref="ContextSize"/>). Per-context: contexts of <see cref="ContextSize"/> tokens each, so
    /// memory grows linearly with this.
    /// </summary>
    public int MaxConcurrentSequences { get; set; } = 4;

    /// <summary>Requests that may wait for a free sequence or for room in the cache (llamasharp, and openai: requests beyond <see cref="MaxConcurrentRequests"/>); one more is refused with <see cref="ModelBusyException"/>.</summary>
    public int MaxQueuedRequests { get; set; } = 8;

    /// <summary>How long a request waits for a free sequence (or room in the cache) before <see cref="ModelBusyException"/> (llamasharp, openai).</summary>
    public int QueueTimeoutSeconds { get; set; } = 30;

    // ---- openai ----

    /// <summary>Base URL of the OpenAI-compatible API, including its <c>/v1</c> (openai), e.g. http://gpu-box:8000/v1.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Bearer token for the server (openai). Optional: servers started without a key ignore it.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Model name the server serves (openai), e.g. the <c>--served-model-name</c> of vLLM.</summary>
    public string? Model { get; set; }

    /// <summary>Time limit of one request to the server, streaming included (openai).</summary>
    public int RequestTimeoutSeconds { get; set; } = 300;

    /// <summary>
    /// Requests sent to the server at once (openai); more wait (<see cref="MaxQueuedRequests"/>,
    /// <see cref="QueueTimeoutSeconds"/>) or get <see cref="ModelBusyException"/>. Match what the server batches
    /// (llama-server <c>--parallel</c>, vLLM <c>--max-num-seqs</c>).
    /// </summary>
    public int MaxConcurrentRequests { get; set; } = 16;

    /// <summary>
    /// Circuit breaker (openai): the share of failed requests (connection errors, timeouts, 5xx other than 503) within
    /// <see cref="BreakerSamplingSeconds"/> that opens it, once at least <see cref="BreakerMinimumRequests"/> were sent.
    /// Open, requests are refused at once with <see cref="ModelBusyException"/> for <see cref="BreakerBreakSeconds"/>,
    /// then one trial request decides whether it closes.
    /// </summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Requests within the sampling window before the breaker may open (openai, at least 2).</summary>
    public int BreakerMinimumRequests { get; set; } = 5;

    /// <summary>The breaker's sampling window in seconds (openai).</summary>
    public int BreakerSamplingSeconds { get; set; } = 30;

    /// <summary>How long an open breaker refuses requests, in seconds (openai); also their Retry-After.</summary>
    public int BreakerBreakSeconds { get; set; } = 30;
}

/// <summary>Values of <see cref="LlmOptions.Provider"/>.</summary>
public static class LlmProviders
{
    public const string None = "none";
    public const string LlamaSharp = "llamasharp";
    public const string OpenAi = "openai";

    /// <summary>The provider in canonical (lower-case) form; null or blank means <see cref="None"/>.</summary>
    public static string Normalize(string? provider) =>
        string.IsNullOrWhiteSpace(provider) ? None : provider.Trim().ToLowerInvariant();
}
