using Lode.Retrieval;

namespace Lode.Chat.Prompting;

/// <summary>A retrieved chunk as it appears in the prompt, under the number the model cites it by.</summary>
public sealed record NumberedSource(int Number, RetrievedChunk Chunk)
{
    public Citation ToCitation(int snippetChars) => new(Number, Chunk.Bucket, Chunk.Key, Chunk.PageStart, Chunk.PageEnd,
        Snippet(Chunk.Text, snippetChars)) { Heading = Chunk.HeadingPath.Count > 0 ? Citation.HeadingOf(Chunk.HeadingPath) : null };

    /// <summary>The first <paramref name="max"/> characters, cut at a word boundary.</summary>
    public static string Snippet(string text, int max)
    {
        var flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (flat.Length <= max) return flat;
        var cut = flat.LastIndexOf(' ', max);
        return flat[..(cut > max / 2 ? cut : max)] + "…";
    }
}
