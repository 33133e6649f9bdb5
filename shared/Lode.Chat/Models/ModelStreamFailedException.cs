namespace Lode.Chat.Models;

/// <summary>
/// The model server stopped in the middle of a streamed answer: the stream ended without the final chunk that says
/// why it finished (OpenAI's <c>finish_reason</c>), as when the server crashes, is killed, or a proxy drops the
/// connection. What arrived is a fragment, not an answer, so the caller gets an error rather than a short "success".
/// </summary>
public sealed class ModelStreamFailedException()
    : Exception("The language model server ended the answer before finishing it; the answer is incomplete.");
