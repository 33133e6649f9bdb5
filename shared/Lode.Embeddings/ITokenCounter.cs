namespace Lode.Embeddings;

/// <summary>Counts tokens the way the embedding model will see them, so chunks never exceed its input window.</summary>
public interface ITokenCounter
{
    /// <summary>The model's maximum input length in tokens, including special tokens.</summary>
    int MaxTokens { get; }

    /// <summary>Tokens in <paramref name="text"/>, excluding the model's special tokens ([CLS], [SEP]).</summary>
    int CountTokens(string text);
}
