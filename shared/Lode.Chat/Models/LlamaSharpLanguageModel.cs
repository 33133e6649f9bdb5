using System.Runtime.InteropServices;
using System.Text;
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
/// every request; each generating request holds one llama.cpp context (its own KV cache) from a pool of at most
/// <see cref="LlmOptions.MaxConcurrentSequences"/>, and waits in a bounded queue for one when all are busy
/// (<see cref="ModelBusyException"/> beyond it). Register it as a singleton: it owns native memory.
/// </summary>
public sealed class LlamaSharpLanguageModel : ILanguageModel, ILanguageModelDiagnostics, IDisposable
{
    private readonly LLamaWeights _weights;
    private readonly LlmOptions _options;
    private readonly ILogger _nativeLogger;
    private bool _disposed;

    /// <summary>Loads the weights and one context (so a model that does not fit fails now, not at the first question).</summary>
    /// <exception cref="InvalidOperationException">The file is missing, not a GGUF, or llama.cpp cannot load it.</exception>
    public LlamaSharpLanguageModel(LlmOptions options, ILoggerFactory? loggerFactory = null)
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
                logger.LogWarning("Llm:ContextSize {Configured} is larger than the model's trained context; using {Trained} tokens.", configured, ContextTokens);
            }

            // The prompt needs room as well: never reserve more than half of the window for the answer.
            MaxOutputTokens = Math.Max(1, Math.Min(options.MaxOutputTokens, ContextTokens / 2));
            if (MaxOutputTokens < options.MaxOutputTokens)
            {
                logger.LogWarning("Llm:MaxOutputTokens {Configured} leaves too little room for prompts in a {Context}-token context; using {Used}.",
                    options.MaxOutputTokens, ContextTokens, MaxOutputTokens);
            }

            ModelId = Path.GetFileNameWithoutExtension(path);
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
            var contextLogger = loggerFactory.CreateLogger<LLamaContext>();
            Pool = new SequencePool<LLamaContext>(
                () => _weights.CreateContext(contextParams, contextLogger),
                options.MaxConcurrentSequences,
                options.MaxQueuedRequests,
                TimeSpan.FromSeconds(options.QueueTimeoutSeconds));
            Pool.AddIdle(_weights.CreateContext(contextParams, contextLogger));

            Formatter = new LlamaSharpPromptFormatter(_weights, logger);
            Client = new LlamaSharpChatClient(this);
            logger.LogInformation(
                "Loaded {Model} ({Parameters:N0} parameters, {GpuLayers} GPU layers, GPU offload {GpuOffload}): context {Context} tokens, answers up to {MaxOutput}, {Sequences} concurrent sequence(s). llama.cpp: {SystemInfo}",
                ModelId, _weights.ParameterCount, options.GpuLayers, NativeApi.llama_supports_gpu_offload() ? "available" : "not available",
                ContextTokens, MaxOutputTokens, options.MaxConcurrentSequences, Marshal.PtrToStringAnsi(NativeApi.llama_print_system_info()));
        }
        catch (RuntimeError e)
        {
            Pool?.Dispose();
            _weights.Dispose();
            throw new InvalidOperationException($"Llm:ModelPath '{path}' was loaded but llama.cpp could not create a context for it: {e.Message}", e);
        }
        catch
        {
            Pool?.Dispose();
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

    internal SequencePool<LLamaContext> Pool { get; }

    internal LlamaSharpPromptFormatter Formatter { get; }

    /// <summary>Exact: the model's own tokenizer, without the begin-of-sequence token.</summary>
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return text.Length == 0 ? 0 : _weights.Tokenize(text, add_bos: false, special: false, Encoding.UTF8).Length;
    }

    /// <summary>The prompt's tokens as the model will see them (chat template applied, BOS added when the model wants it).</summary>
    internal LLamaToken[] TokenizePrompt(IEnumerable<ChatMessage> messages)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var prompt = Formatter.Format(messages);
        var tokens = _weights.Tokenize(prompt, add_bos: true, special: true, Encoding.UTF8);
        var bos = _weights.Vocab.BOS;
        // Templates that write the BOS text themselves would otherwise get a second one from add_bos.
        if (bos.HasValue && tokens.Length > 1 && tokens[0] == bos.Value && tokens[1] == bos.Value)
        {
            tokens = tokens[1..];
        }

        return tokens;
    }

    public LanguageModelStatus GetStatus() => new(
        LlmProviders.LlamaSharp, ModelId, ContextTokens, MaxOutputTokens,
        Pool.Busy, Pool.MaxConcurrent, Pool.Queued, Pool.MaxQueued, Formatter.Source);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Pool.Dispose();
        _weights.Dispose();
        LlamaSharpNativeLog.Detach(_nativeLogger);
    }
}
