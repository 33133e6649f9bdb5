namespace Lode.Embeddings;

/// <summary>How a sentence-transformers model turns its token states into one sentence vector.</summary>
public enum SentencePooling
{
    /// <summary>The mean of the states of all (unmasked) tokens: sentence-transformers' Pooling(mean).</summary>
    Mean,

    /// <summary>The state of the first token, [CLS]: sentence-transformers' Pooling(cls).</summary>
    Cls,
}
