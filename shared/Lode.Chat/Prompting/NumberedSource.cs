using Lode.Retrieval;

namespace Lode.Chat.Prompting;

/// <summary>A retrieved chunk as it appears in the prompt, under the number the model cites it by.</summary>
public sealed record NumberedSource(int Number, RetrievedChunk Chunk)
{
    public Citation ToCitation(int snippetChars) => new(Number, Chunk.Bucket, Chunk.Key, Chunk.PageStart, Chunk.PageEnd,
        TextSnippet.Of(Chunk.Text, snippetChars)) { Heading = Chunk.HeadingPath.Count > 0 ? Citation.HeadingOf(Chunk.HeadingPath) : null };
}
