using System.ComponentModel.DataAnnotations;

namespace Lode.Embeddings;

/// <summary>
/// Settings of the local embedding model (configuration section <c>Embeddings</c> by convention).
/// </summary>
public sealed class EmbeddingOptions : IValidatableObject
{
    /// <summary>Conventional configuration section name.</summary>
    public const string SectionName = "Embeddings";

    /// <summary>
    /// Which model embeds, by <see cref="SentenceEmbeddingModel.Id"/> (one of <see cref="SentenceEmbeddingModel.Known"/>);
    /// empty means <see cref="SentenceEmbeddingModel.Default"/>. Changing it makes the index build a new generation
    /// with this model in the background and switch to it when complete (see IndexInitializer).
    /// </summary>
    public string? Model { get; set; } = SentenceEmbeddingModel.Default.Id;

    /// <summary>
    /// ONNX Runtime intra-op threads per inference call. 0 lets ONNX Runtime choose (one per physical core).
    /// Concurrent callers each run on their own thread, so on a busy worker a small value avoids oversubscription.
    /// </summary>
    [Range(0, int.MaxValue, ErrorMessage = "Embeddings:Threads must be 0 (ONNX Runtime default) or positive.")]
    public int Threads { get; set; }

    /// <summary>
    /// Let ONNX Runtime's intra-op threads spin (busy-wait) for work between the parallel sections of a run, instead of
    /// sleeping. Spinning buys a little latency on an otherwise idle machine and burns a core per waiting thread; on a
    /// server whose cores are shared with PostgreSQL and concurrent requests it takes CPU from them (docs/benchmarks.md,
    /// Chat throughput), so it is off by default. Vectors are identical either way.
    /// </summary>
    public bool AllowSpinning { get; set; }

    /// <summary>Texts per ONNX Runtime call; each batch is padded to its longest member.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Embeddings:BatchSize must be at least 1.")]
    public int BatchSize { get; set; } = 32;

    /// <summary>
    /// Most concurrent queries (chat and search questions arriving at once) embedded in one model run; 1 embeds each
    /// query on its own (no batching). See <see cref="QueryBatchingEmbeddingGenerator"/>.
    /// </summary>
    [Range(1, 1024, ErrorMessage = "Embeddings:QueryBatchSize must be between 1 (no batching) and 1024.")]
    public int QueryBatchSize { get; set; } = 32;

    /// <summary>
    /// Model input window in tokens, including [CLS] and [SEP]. Longer inputs are truncated. Null: the model's own
    /// (<see cref="SentenceEmbeddingModel.MaxTokens"/>: 256 for all-MiniLM-L6-v2, 512 for snowflake-arctic-embed-xs).
    /// Set, it applies to every model the index uses (each generation is chunked and embedded the same way throughout).
    /// </summary>
    [Range(3, 512, ErrorMessage = "Embeddings:MaxTokens must be between 3 and 512 (the model's position embeddings end at 512).")]
    public int? MaxTokens { get; set; }

    /// <summary>These options for another model (every model the index uses runs with the same threads, spinning, batch size and window).</summary>
    public EmbeddingOptions For(SentenceEmbeddingModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new EmbeddingOptions { Model = model.Id, Threads = Threads, AllowSpinning = AllowSpinning, BatchSize = BatchSize, QueryBatchSize = QueryBatchSize, MaxTokens = MaxTokens };
    }

    /// <summary>The model <see cref="Model"/> names (a method, not a property: configuration binding reads properties).</summary>
    /// <exception cref="ArgumentException">It names no known model; the message lists the known ones.</exception>
    public SentenceEmbeddingModel SelectedModel() =>
        string.IsNullOrWhiteSpace(Model) ? SentenceEmbeddingModel.Default : SentenceEmbeddingModel.Named(Model);

    /// <summary>The one rule attributes cannot say: <see cref="Model"/> names a known model (the message lists them).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(Model) && SentenceEmbeddingModel.Find(Model) is null)
            yield return new ValidationResult(SentenceEmbeddingModel.UnknownModelMessage(Model), [nameof(Model)]);
    }
}
