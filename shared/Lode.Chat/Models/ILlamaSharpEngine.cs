using Microsoft.Extensions.AI;

namespace Lode.Chat.Models;

/// <summary>
/// How <see cref="LlamaSharpLanguageModel"/> runs answers: every answer in one shared context, batched
/// (<see cref="Batching.BatchedEngine"/>, the default), or each in a context of its own (<see cref="PerContextEngine"/>,
/// <c>Llm:BatchedDecoding=false</c>). Both admit with a bounded queue and refuse with <see cref="ModelBusyException"/>.
/// </summary>
internal interface ILlamaSharpEngine : IDisposable
{
    /// <summary>Waits for admission (or throws <see cref="ModelBusyException"/>) and starts the answer.</summary>
    Task<ILlamaSharpAnswer> StartAsync(LlamaSharpRequest request, CancellationToken cancellationToken);

    int Busy { get; }

    int MaxConcurrent { get; }

    int Queued { get; }

    int MaxQueued { get; }
}

/// <summary>One answer being generated. Dispose it to stop early; its sequence is freed at once either way.</summary>
internal interface ILlamaSharpAnswer : IAsyncDisposable
{
    /// <summary>
    /// The next piece of text (may be empty), or null once the answer is finished (<see cref="FinishReason"/> set).
    /// </summary>
    ValueTask<string?> NextAsync(CancellationToken cancellationToken);

    int InputTokens { get; }

    /// <summary>Tokens sampled for the answer (the end-of-generation token not included).</summary>
    int OutputTokens { get; }

    ChatFinishReason? FinishReason { get; }
}
