using Microsoft.Extensions.AI;

namespace Lode.Embeddings;

/// <summary>
/// Carries <see cref="EmbeddingInputKind"/> through <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> in
/// <see cref="EmbeddingGenerationOptions.AdditionalProperties"/>, so that delegating generators (telemetry, caching,
/// test wrappers) pass it on untouched and a query costs no other interface. A generator that does not read it
/// embeds every text as a document, which is what a symmetric model does anyway.
/// </summary>
public static class EmbeddingInputKindExtensions
{
    /// <summary>Key of the input kind in <see cref="EmbeddingGenerationOptions.AdditionalProperties"/>.</summary>
    public const string PropertyName = "lode.input_kind";

    /// <summary>Embeds one retrieval query (with the model's query prefix, where it has one).</summary>
    public static async Task<Embedding<float>> GenerateQueryEmbeddingAsync(
        this IEmbeddingGenerator<string, Embedding<float>> generator, string query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(query);
        var options = new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Query);
        var embeddings = await generator.GenerateAsync([query], options, cancellationToken).ConfigureAwait(false);
        return embeddings.Count == 1
            ? embeddings[0]
            : throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} embeddings for one query.");
    }

    /// <summary>Sets the kind of every input of a call; returns <paramref name="options"/>.</summary>
    public static EmbeddingGenerationOptions WithInputKind(this EmbeddingGenerationOptions options, EmbeddingInputKind kind)
    {
        ArgumentNullException.ThrowIfNull(options);
        (options.AdditionalProperties ??= [])[PropertyName] = kind;
        return options;
    }

    /// <summary>The kind these options ask for: <see cref="EmbeddingInputKind.Document"/> unless they say otherwise.</summary>
    /// <exception cref="ArgumentException">The property is set to something that is not an input kind (or its name).</exception>
    public static EmbeddingInputKind GetInputKind(this EmbeddingGenerationOptions? options)
    {
        if (options?.AdditionalProperties is not { } properties || !properties.TryGetValue(PropertyName, out var value))
        {
            return EmbeddingInputKind.Document;
        }

        // Options that went through JSON (a remote hop, a cache key) carry the name rather than the enum.
        return value switch
        {
            EmbeddingInputKind kind when Enum.IsDefined(kind) => kind,
            string name when Enum.TryParse<EmbeddingInputKind>(name, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) => parsed,
            // A misspelt kind must not quietly embed a query as a document: the results would just be worse.
            _ => throw new ArgumentException($"{PropertyName} must be one of {string.Join(", ", Enum.GetNames<EmbeddingInputKind>())}; got '{value}'.", nameof(options)),
        };
    }
}
