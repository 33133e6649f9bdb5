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
    /// Context window in tokens (prompt plus answer). LLamaSharp: the context it allocates per sequence, capped at the
    /// model's trained context (0 = the trained context). OpenAI-compatible: what the server was started with (it does
    /// not say), so prompts are budgeted to fit.
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

    /// <summary>Prompt tokens evaluated per llama.cpp decode call (llamasharp). Cancellation is checked between calls.</summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>
    /// Requests that generate at the same time (llamasharp). Each holds its own llama.cpp context, i.e. a KV cache of
    /// <see cref="ContextSize"/> tokens: memory grows linearly with this.
    /// </summary>
    public int MaxConcurrentSequences { get; set; } = 1;

    /// <summary>Requests that may wait for a free sequence (llamasharp); one more is refused with <see cref="ModelBusyException"/>.</summary>
    public int MaxQueuedRequests { get; set; } = 8;

    /// <summary>How long a request waits for a free sequence before <see cref="ModelBusyException"/> (llamasharp).</summary>
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
