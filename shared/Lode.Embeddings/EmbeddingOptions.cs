namespace Lode.Embeddings;

/// <summary>
/// Settings of the local MiniLM embedder (configuration section <c>Embeddings</c> by convention).
/// </summary>
public sealed class EmbeddingOptions
{
    /// <summary>Conventional configuration section name.</summary>
    public const string SectionName = "Embeddings";

    /// <summary>
    /// ONNX Runtime intra-op threads per inference call. 0 lets ONNX Runtime choose (one per physical core).
    /// Concurrent callers each run on their own thread, so on a busy worker a small value avoids oversubscription.
    /// </summary>
    public int Threads { get; set; }

    /// <summary>Texts per ONNX Runtime call; each batch is padded to its longest member.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>
    /// Model input window in tokens, including [CLS] and [SEP]. Longer inputs are truncated.
    /// 256 is sentence-transformers' <c>max_seq_length</c> for all-MiniLM-L6-v2 (it was trained on 128-token inputs,
    /// its position embeddings stop at 512).
    /// </summary>
    public int MaxTokens { get; set; } = 256;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for values the embedder cannot run with.</summary>
    public void Validate()
    {
        if (Threads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Embeddings:Threads must be 0 (ONNX Runtime default) or positive.");
        }

        if (BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "Embeddings:BatchSize must be at least 1.");
        }

        if (MaxTokens is < 3 or > 512)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "Embeddings:MaxTokens must be between 3 and 512 (the model's position embeddings end at 512).");
        }
    }
}
