using System.Runtime.CompilerServices;
using Lode.Chat.Models;
using Microsoft.Extensions.AI;

namespace Lode.Tests.Audit;

/// <summary>
/// A language model whose behaviour the question picks, so tests can end answers every way they end in production:
/// <see cref="Busy"/> refuses at once, <see cref="Crash"/> sends a few words then fails, <see cref="Hang"/> sends a
/// few words then waits until cancelled; any other question gets <see cref="Reply"/>.
/// </summary>
public sealed class TroubledModel : ILanguageModel, IChatClient
{
    public const string Busy = "[busy-model]";
    public const string Crash = "[crash-model]";
    public const string Hang = "[hang-model]";
    public const string FirstWords = "Payroll records ";
    public const string Reply = FirstWords + "are archived for ten years [1].";

    public string ModelId => "troubled";
    public IChatClient Client => this;
    public int ContextTokens => 4096;
    public int MaxOutputTokens => 256;

    public int CountTokens(string text) => text.Length / 4 + 1;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var prompt = messages.Last().Text;
        if (prompt.Contains(Busy, StringComparison.Ordinal)) throw new ModelBusyException(TimeSpan.FromSeconds(2));
        await Task.Yield();
        yield return new ChatResponseUpdate(ChatRole.Assistant, FirstWords);
        if (prompt.Contains(Crash, StringComparison.Ordinal)) throw new InvalidOperationException("The model crashed.");
        if (prompt.Contains(Hang, StringComparison.Ordinal)) await Task.Delay(Timeout.Infinite, cancellationToken);
        yield return new ChatResponseUpdate(ChatRole.Assistant, Reply[FirstWords.Length..]);
        yield return new ChatResponseUpdate { FinishReason = ChatFinishReason.Stop };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
