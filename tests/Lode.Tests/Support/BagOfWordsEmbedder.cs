using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;

namespace Lode.Tests.Support;

/// <summary>
/// Embeds a text as the normalized sum of one fixed random unit vector per word (lower-cased, split on white space):
/// texts that share words are near each other, every run and machine gets the same vectors, and nothing is loaded.
/// For tests of what retrieval may return, which need vectors but not meaning.
/// </summary>
public sealed class BagOfWordsEmbedder : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly ConcurrentDictionary<string, float[]> _words = new(StringComparer.Ordinal);

    public float[] Embed(string text)
    {
        var words = text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) throw new ArgumentException("A text without words has no direction.", nameof(text));
        var sum = new double[TestDatabase.Dimensions];
        foreach (var word in words)
        {
            var vector = _words.GetOrAdd(word, WordVector);
            for (var i = 0; i < sum.Length; i++) sum[i] += vector[i];
        }
        var norm = Math.Sqrt(sum.Sum(x => x * x));
        return sum.Select(x => (float)(x / norm)).ToArray();
    }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(Embed(v)))));

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }

    // Seeded by the word itself, so a word has the same vector in every process.
    private static float[] WordVector(string word) =>
        RandomVectors.Unit(new Random(BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(word)))));
}
