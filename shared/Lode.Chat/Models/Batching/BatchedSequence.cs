using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using LLama;
using LLama.Native;
using LLama.Sampling;
using Microsoft.Extensions.AI;

namespace Lode.Chat.Models.Batching;

/// <summary>
/// One answer in the shared context. The decoder thread feeds its prompt (in chunks) and its sampled tokens and writes
/// the text to a channel; the caller reads the channel (<see cref="NextAsync"/>). A reader more than
/// <see cref="ReadAhead"/> pieces behind pauses the sequence (it keeps its cells but takes no decode steps), so a
/// stalled client costs no compute and no unbounded memory. Disposing it stops it: the decoder removes its cells from the
/// cache before the next step, and the dispose returns once that is done.
/// </summary>
internal sealed class BatchedSequence : ILlamaSharpAnswer
{
    /// <summary>Unread pieces at which the sequence pauses.</summary>
    public const int ReadAhead = 8;

    private readonly BatchedEngine _engine;
    private readonly Channel<string> _output = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly SafeLlamaModelHandle.Vocabulary _vocab;
    private readonly DefaultSamplingPipeline _sampler;
    private readonly StreamingTokenDecoder _decoder;
    private readonly StopSequenceMatcher _stops;
    private readonly TaskCompletionSource _retired = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _unread;
    private int _cancelled;

    public BatchedSequence(BatchedEngine engine, LlamaSharpRequest request, KvReservation reservation, LLamaWeights weights, long queuedSince)
    {
        _engine = engine;
        Request = request;
        Reservation = reservation;
        SequenceId = (LLamaSeqId)reservation.SequenceId;
        QueueWait = Stopwatch.GetElapsedTime(queuedSince);
        _vocab = weights.Vocab;
        _sampler = request.CreateSampler();
        _decoder = new StreamingTokenDecoder(Encoding.UTF8, weights);
        _stops = new StopSequenceMatcher(request.StopSequences);
    }

    public LlamaSharpRequest Request { get; }

    public KvReservation Reservation { get; }

    public LLamaSeqId SequenceId { get; }

    public TimeSpan QueueWait { get; }

    public int InputTokens => Request.PromptTokens.Length;

    public int OutputTokens { get; private set; }

    public ChatFinishReason? FinishReason { get; private set; }

    // ---- decoder thread ----

    /// <summary>Next cache position to write (prompt tokens fed so far while prefilling).</summary>
    public int Position { get; set; }

    /// <summary>The sampled token that still has to be fed back (decoding), or null (prefilling, or finished).</summary>
    public LLamaToken? Pending { get; private set; }

    public bool Prefilling => Position < Request.PromptTokens.Length;

    public bool Finished { get; private set; }

    public bool Cancelled => Volatile.Read(ref _cancelled) == 1;

    public bool ReaderIsBehind => Volatile.Read(ref _unread) >= ReadAhead;

    /// <summary>Samples from the logits at <paramref name="index"/> of the last batch, emits the text, and decides whether to go on.</summary>
    public void Sample(SafeLLamaContextHandle context, int index)
    {
        Pending = null;
        var token = _sampler.Sample(context, index);
        if (token.IsEndOfGeneration(_vocab))
        {
            Finish(ChatFinishReason.Stop, _stops.Flush());
            return;
        }

        OutputTokens++;
        _decoder.Add(token);
        var text = _stops.Append(_decoder.Read());
        if (_stops.Stopped)
        {
            Finish(ChatFinishReason.Stop, text);
            return;
        }

        if (OutputTokens >= Request.MaxOutputTokens)
        {
            Finish(ChatFinishReason.Length, text + _stops.Flush());
            return;
        }

        Emit(text);
        Pending = token;
    }

    /// <summary>The token was fed at <see cref="Position"/>.</summary>
    public void Fed() => Position++;

    /// <summary>Ends the answer with an error the reader sees.</summary>
    public void Fail(Exception error)
    {
        Finished = true;
        Pending = null;
        _output.Writer.TryComplete(error);
    }

    /// <summary>Decoder-side clean-up once the cells are gone: the sampler is native memory.</summary>
    public void Retired()
    {
        _output.Writer.TryComplete(new OperationCanceledException("The answer was cancelled."));
        _sampler.Dispose();
        _retired.TrySetResult();
    }

    private void Finish(ChatFinishReason reason, string text)
    {
        Emit(text);
        FinishReason = reason;
        Finished = true;
        _output.Writer.TryComplete();
    }

    private void Emit(string text)
    {
        if (text.Length > 0 && _output.Writer.TryWrite(text))
        {
            Interlocked.Increment(ref _unread);
        }
    }

    // ---- caller ----

    public async ValueTask<string?> NextAsync(CancellationToken cancellationToken)
    {
        while (await _output.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_output.Reader.TryRead(out var text))
            {
                if (Interlocked.Decrement(ref _unread) == ReadAhead - 1)
                {
                    _engine.Wake(); // it may have paused for this reader
                }

                return text;
            }
        }

        return null;
    }

    /// <summary>
    /// Stops the answer (if still running) and returns once the decoder has removed its cells and released its budget
    /// (at most one step later), so "disposed" means "freed" for the caller.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _cancelled, 1) == 0)
        {
            _engine.Wake();
        }

        await _retired.Task.ConfigureAwait(false);
    }
}
