using LLama;
using LLama.Exceptions;
using Microsoft.Extensions.AI;

namespace Lode.Chat.Models;

/// <summary>
/// Each answer in a llama.cpp context of its own, from a <see cref="SequencePool{T}"/> of at most
/// <see cref="LlmOptions.MaxConcurrentSequences"/>, each one decode call per token. Kept as the baseline the batched
/// engine is measured against (tests/Lode.Benchmarks <c>llm</c>) and as a fallback (<c>Llm:BatchedDecoding=false</c>).
/// </summary>
internal sealed class PerContextEngine(SequencePool<LLamaContext> pool, LLamaWeights weights) : ILlamaSharpEngine
{
    public int Busy => pool.Busy;

    public int MaxConcurrent => pool.MaxConcurrent;

    public int Queued => pool.Queued;

    public int MaxQueued => pool.MaxQueued;

    public async Task<ILlamaSharpAnswer> StartAsync(LlamaSharpRequest request, CancellationToken cancellationToken)
    {
        var lease = await pool.AcquireAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return new Answer(lease, new LlamaSharpGeneration(lease.Resource, weights, request));
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    public void Dispose() => pool.Dispose();

    /// <summary>
    /// Runs each native step off the caller's thread. A native failure leaves the context in an unknown state: the
    /// lease is then told not to reuse it. Cancellation does not (it only happens between decode calls).
    /// </summary>
    private sealed class Answer(SequencePool<LLamaContext>.Lease lease, LlamaSharpGeneration generation) : ILlamaSharpAnswer
    {
        private bool _prefilled;

        public int InputTokens => generation.InputTokens;

        public int OutputTokens => generation.OutputTokens;

        public ChatFinishReason? FinishReason => generation.FinishReason;

        public async ValueTask<string?> NextAsync(CancellationToken cancellationToken)
        {
            try
            {
                if (!_prefilled)
                {
                    await Task.Run(() => generation.Prefill(cancellationToken), cancellationToken).ConfigureAwait(false);
                    _prefilled = true;
                }

                return await Task.Run(() => generation.Next(cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            catch (RuntimeError)
            {
                lease.Discard();
                throw;
            }
        }

        public ValueTask DisposeAsync()
        {
            generation.Dispose();
            lease.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
