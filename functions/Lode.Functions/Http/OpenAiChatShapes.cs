using Lode.Chat;

namespace Lode.Functions.Http;

/// <summary>
/// One v1/chat/completions answer in OpenAI's shapes: the whole <see cref="OpenAiChatResponse"/>, or the stream of
/// <see cref="OpenAiChatChunk"/>s ending in <c>[DONE]</c>. The answer's content ends with its cited sources.
/// </summary>
public sealed class OpenAiChatShapes(string model, long created, bool includeUsage)
{
    private readonly string _id = "chatcmpl-" + Guid.NewGuid().ToString("N");

    public OpenAiChatResponse Whole(Completed done) => new(_id, "chat.completion", created, done.Model,
        [new OpenAiChoice(0, new OpenAiResponseMessage("assistant", done.Answer + CitationFooter.For(done.Citations)), FinishReason(done))],
        OpenAiUsage.From(done.Usage), done.Citations.Select(CitationView.From).ToList());

    public async Task WriteAsync(ServerSentEvents sse, ChatEvent chatEvent, CancellationToken ct)
    {
        switch (chatEvent)
        {
            case SourcesFound:
                await sse.WriteAsync(null, Chunk(new OpenAiDelta("assistant", ""), null), ct);
                break;
            case TextDelta delta:
                await sse.WriteAsync(null, Chunk(new OpenAiDelta(null, delta.Text), null), ct);
                break;
            case Completed done:
                var footer = CitationFooter.For(done.Citations);
                if (footer.Length > 0) await sse.WriteAsync(null, Chunk(new OpenAiDelta(null, footer), null), ct);
                await sse.WriteAsync(null, Chunk(new OpenAiDelta(null, null), FinishReason(done)) with
                {
                    Citations = done.Citations.Select(CitationView.From).ToList(),
                }, ct);
                if (includeUsage)
                    await sse.WriteAsync(null, new OpenAiChatChunk(_id, "chat.completion.chunk", created, model, [], OpenAiUsage.From(done.Usage), null), ct);
                await sse.WriteRawAsync(null, "[DONE]", ct);
                break;
        }
    }

    /// <summary>An error after the stream started: its body, as a data line of its own.</summary>
    public static Task WriteErrorAsync(ServerSentEvents sse, Exception error) =>
        sse.WriteAsync(null, ChatErrors.StreamError(error), CancellationToken.None);

    private OpenAiChatChunk Chunk(OpenAiDelta delta, string? finish) =>
        new(_id, "chat.completion.chunk", created, model, [new OpenAiChunkChoice(0, delta, finish)], null, null);

    private static string FinishReason(Completed done) => done.FinishReason is "length" ? "length" : "stop";
}
