using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using System.Text;
using Lode.Chat.Models.Batching;
using LLama;
using LLama.Common;
using LLama.Exceptions;
using LLama.Native;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lode.Chat.Models;

/// <summary>
/// A GGUF model run in this process by llama.cpp (LLamaSharp). The weights are loaded once, here, and shared by
/// every request. By default every answer is a sequence of one shared context, decoded together in batched steps
/// (<see cref="BatchedEngine"/>), admitted by the room in its KV cache (<see cref="KvCacheBudget"/>); with
/// <see cref="LlmOptions.BatchedDecoding"/> false each answer holds a context of its own from a pool
/// (<see cref="PerContextEngine"/>). Either way at most <see cref="LlmOptions.MaxConcurrentSequences"/> generate at
/// once and the rest wait in a bounded queue (<see cref="ModelBusyException"/> beyond it). Register it as a singleton:
/// it owns native memory.
/// </summary>
public sealed class LlamaSharpLanguageModel : ILanguageModel, ILanguageModelDiagnostics, IDisposable
{
    private readonly LLamaWeights _weights;
    private readonly LlmOptions _options;
    private readonly ILogger _nativeLogger;
    private BatchingTelemetry? _batchingTelemetry;
    private int _disposed;

    /// <summary>Loads the weights and one context (so a model that does not fit fails now, not at the first question).</summary>
    /// <exception cref="InvalidOperationException">The file is missing, not a GGUF, or llama.cpp cannot load it.</exception>
    public LlamaSharpLanguageModel(LlmOptions options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        loggerFactory ??= NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<LlamaSharpLanguageModel>();
        if (GgufProbe.Check(options.ModelPath) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        var path = options.ModelPath!;
        _nativeLogger = loggerFactory.CreateLogger("LLama.Native");
        LlamaSharpNativeLog.Attach(_nativeLogger);
        try
        {
            _weights = LLamaWeights.LoadFromFile(new ModelParams(path) { GpuLayerCount = options.GpuLayers });
        }
        catch (RuntimeError e)
        {
            throw new InvalidOperationException($"Llm:ModelPath '{path}' could not be loaded by llama.cpp: {e.Message}", e);
        }

        try
        {
            var trained = _weights.ContextSize;
            var configured = options.ContextSize > 0 ? options.ContextSize : trained;
            ContextTokens = trained > 0 ? Math.Min(configured, trained) : configured;
            if (ContextTokens < configured)
            {
                logger.LogWarning("Llm:ContextSize {Configured} is larger than the model's trained context; one answer's window (prompt and answer) is {Trained} tokens.", configured, ContextTokens);
            }

            // The prompt needs room as well: never reserve more than half of the window for the answer.
            MaxOutputTokens = Math.Max(1, Math.Min(options.MaxOutputTokens, ContextTokens / 2));
            if (MaxOutputTokens < options.MaxOutputTokens)
            {
                logger.LogWarning("Llm:MaxOutputTokens {Configured} leaves too little room for prompts in a {Context}-token context; using {Used}.",
                    options.MaxOutputTokens, ContextTokens, MaxOutputTokens);
            }

            ModelId = Path.GetFileNameWithoutExtension(path);
            var contextLogger = loggerFactory.CreateLogger<LLamaContext>();
            Engine = options.BatchedDecoding
                ? CreateBatchedEngine(options, configured, contextLogger, logger, meterFactory)
                : CreatePerContextEngine(options, path, contextLogger);

            Formatter = new LlamaSharpPromptFormatter(_weights, logger);
            Client = new LlamaSharpChatClient(this);
            logger.LogInformation(
                "Loaded {Model} ({Parameters:N0} parameters, {GpuLayers} GPU layers, GPU offload {GpuOffload}): context {Context} tokens, answers up to {MaxOutput}, {Sequences} concurrent sequence(s), {Mode}. llama.cpp: {SystemInfo}",
                ModelId, _weights.ParameterCount, options.GpuLayers, NativeApi.llama_supports_gpu_offload() ? "available" : "not available",
                ContextTokens, MaxOutputTokens, options.MaxConcurrentSequences,
                options.BatchedDecoding ? $"batched in one {configured}-token KV cache" : "one context each", Marshal.PtrToStringAnsi(NativeApi.llama_print_system_info()));
        }
        catch (RuntimeError e)
        {
            Engine?.Dispose();
            _weights.Dispose();
            throw new InvalidOperationException($"Llm:ModelPath '{path}' was loaded but llama.cpp could not create a context for it: {e.Message}", e);
        }
        catch
        {
            Engine?.Dispose();
            _weights.Dispose();
            throw;
        }
    }

    public string ModelId { get; }

    public IChatClient Client { get; }

    public int ContextTokens { get; }

    public int MaxOutputTokens { get; }

    /// <summary>Where the prompt format comes from: <c>gguf</c> (the model's own chat template) or <c>plain fallback</c>.</summary>
    public string ChatTemplateSource => Formatter.Source;

    internal LLamaWeights Weights => _weights;

    internal LlmOptions Options => _options;

    internal ILlamaSharpEngine Engine { get; }

    /// <summary>The batched engine, or null when each answer has a context of its own.</summary>
    internal BatchedEngine? Batched => Engine as BatchedEngine;

    internal LlamaSharpPromptFormatter Formatter { get; }

    /// <summary>Exact: the model's own tokenizer, without the begin-of-sequence token.</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed (the app is stopping).</exception>
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return UseWeights(() => text.Length == 0 ? 0 : _weights.Tokenize(text, add_bos: false, special: false, Encoding.UTF8).Length);
    }

    /// <summary>The prompt's tokens as the model will see them (chat template applied, BOS added when the model wants it).</summary>
    internal LLamaToken[] TokenizePrompt(IEnumerable<ChatMessage> messages) => UseWeights(() => Tokenize(Formatter.Format(messages)));

    /// <summary>
    /// The prompt's tokens and how many of them are the shared prefix: the leading system messages as the template
    /// writes them, when their tokens are exactly the start of the prompt's (a tokenizer may merge across the
    /// boundary; then nothing is shared). 0 when there is no leading system message.
    /// </summary>
    internal (LLamaToken[] Tokens, int SharedPrefixLength) TokenizePromptWithPrefix(IReadOnlyList<ChatMessage> messages) =>
        UseWeights(() => TokenizeWithPrefix(messages));

    private (LLamaToken[] Tokens, int SharedPrefixLength) TokenizeWithPrefix(IReadOnlyList<ChatMessage> messages)
    {
        var tokens = Tokenize(Formatter.Format(messages));
        var leading = messages.TakeWhile(m => m.Role == ChatRole.System).ToList();
        if (leading.Count == 0 || leading.Count == messages.Count)
        {
            return (tokens, 0);
        }

        var prefix = Tokenize(Formatter.FormatPrefix(leading));
        var shared = prefix.Length < tokens.Length && prefix.AsSpan().SequenceEqual(tokens.AsSpan(0, prefix.Length));
        return (tokens, shared ? prefix.Length : 0);
    }

    /// <summary>Call inside <see cref="UseWeights{T}"/>.</summary>
    private LLamaToken[] Tokenize(string prompt)
    {
        var tokens = _weights.Tokenize(prompt, add_bos: true, special: true, Encoding.UTF8);
        var bos = _weights.Vocab.BOS;
        // Templates that write the BOS text themselves would otherwise get a second one from add_bos.
        if (bos.HasValue && tokens.Length > 1 && tokens[0] == bos.Value && tokens[1] == bos.Value)
        {
            tokens = tokens[1..];
        }

        return tokens;
    }

    /// <summary>
    /// Runs <paramref name="use"/> with the weights held, for native calls made on the callers' threads (tokenizing,
    /// formatting, creating a context). llama.cpp hands out raw pointers into the model (its vocabulary, its metadata)
    /// that no SafeHandle guards, so a dispose on another thread must not free the model while such a call runs: that
    /// is a use after free, and the process dies. The model handle's own reference count does it: while held, the
    /// dispose leaves the free to the last holder; once disposed, no new use starts.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    private T UseWeights<T>(Func<T> use)
    {
        var handle = _weights.NativeHandle;
        var held = false;
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
            handle.DangerousAddRef(ref held);
        }
        catch (ObjectDisposedException e)
        {
            throw new ObjectDisposedException("The language model was shut down.", e);
        }

        try
        {
            return use();
        }
        finally
        {
            if (held)
            {
                handle.DangerousRelease();
            }
        }
    }

    private BatchedEngine CreateBatchedEngine(LlmOptions options, int kvCells, ILogger<LLamaContext> contextLogger, ILogger logger, IMeterFactory? meterFactory)
    {
        var stepTokens = Math.Max(options.BatchSize, options.MaxConcurrentSequences);
        var contextParams = new ModelParams(options.ModelPath!)
        {
            ContextSize = (uint)kvCells,
            BatchSize = (uint)stepTokens,
            UBatchSize = (uint)stepTokens,
            SeqMax = (uint)options.MaxConcurrentSequences + 1, // + the shared prefix's sequence
            KVUnified = true, // one pool of cells for all sequences: the budget, not n_ctx / n_seq_max each
            GpuLayerCount = options.GpuLayers,
            Threads = options.Threads > 0 ? options.Threads : null,
            BatchThreads = options.Threads > 0 ? options.Threads : null,
        };
        var budget = new KvCacheBudget(kvCells, options.MaxConcurrentSequences, options.MaxQueuedRequests, TimeSpan.FromSeconds(options.QueueTimeoutSeconds));
        _batchingTelemetry = new BatchingTelemetry(meterFactory);
        return new BatchedEngine(_weights.CreateContext(contextParams, contextLogger), _weights, budget, stepTokens, logger, _batchingTelemetry);
    }

    private PerContextEngine CreatePerContextEngine(LlmOptions options, string path, ILogger<LLamaContext> contextLogger)
    {
        var contextParams = new ModelParams(path)
        {
            ContextSize = (uint)ContextTokens,
            BatchSize = (uint)Math.Min(options.BatchSize, ContextTokens),
            UBatchSize = (uint)Math.Min(options.BatchSize, ContextTokens),
            SeqMax = 1,
            GpuLayerCount = options.GpuLayers,
            Threads = options.Threads > 0 ? options.Threads : null,
            BatchThreads = options.Threads > 0 ? options.Threads : null,
        };
        var pool = new SequencePool<LLamaContext>(
            () => UseWeights(() => _weights.CreateContext(contextParams, contextLogger)),
            options.MaxConcurrentSequences,
            options.MaxQueuedRequests,
            TimeSpan.FromSeconds(options.QueueTimeoutSeconds));
        pool.AddIdle(_weights.CreateContext(contextParams, contextLogger));
        return new PerContextEngine(pool, _weights);
    }

    public LanguageModelStatus GetStatus() => new(
        LlmProviders.LlamaSharp, ModelId, ContextTokens, MaxOutputTokens,
        Engine.Busy, Engine.MaxConcurrent, Engine.Queued, Engine.MaxQueued, Formatter.Source);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // The engine first: it stops its decoder and frees its context(s) before the weights go.
        Engine.Dispose();
        _batchingTelemetry?.Dispose();
        _weights.Dispose();
        LlamaSharpNativeLog.Detach(_nativeLogger);
    }
}
