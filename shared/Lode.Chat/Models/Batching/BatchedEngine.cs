using System.Collections.Concurrent;
using System.Diagnostics;
using LLama;
using LLama.Exceptions;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace Lode.Chat.Models.Batching;

/// <summary>
/// Continuous batching: every answer is a sequence of one llama.cpp context (one unified KV cache of
/// <see cref="KvCacheBudget.Capacity"/> cells), and one decoder thread runs steps. Each step is one decode call holding
/// the next token of every decoding sequence and, in the room left up to the batch size, prompt chunks of sequences
/// still prefilling, oldest first; sequences join and leave between steps. Decoding one token is bound by reading the
/// weights, so a step with eight sequences costs little more than a step with one.
/// <para>
/// Why LLamaBatch with sequence ids rather than LLamaSharp's BatchedExecutor/Conversation: Conversation.Prompt queues a
/// whole prompt at once, as consecutive batches that run before any later token, so a long prompt stalls every running
/// answer for its whole prefill (this engine feeds prompts in chunks beside the decode tokens), and the executor has no
/// notion of a cache budget or of a prefix evaluated once for several sequences while they run. The KV operations it
/// uses (sequence copy for forks, sequence remove on dispose) are the same ones used here.
/// </para>
/// <para>
/// The shared prefix (system prompt) lives in its own sequence: the first sequence that needs it evaluates its tokens
/// into both sequences at once (one batch entry with two sequence ids), later ones copy the cells
/// (<c>llama_memory_seq_cp</c>: the cells are shared, not duplicated) and prefill only the rest.
/// </para>
/// </summary>
internal sealed class BatchedEngine : ILlamaSharpEngine
{
    private readonly LLamaContext _context;
    private readonly LLamaWeights _weights;
    private readonly KvCacheBudget _budget;
    private readonly ILogger _logger;
    private readonly BatchingTelemetry? _telemetry;
    private readonly int _stepTokens;
    private readonly LLamaSeqId _prefixSequence;
    private readonly ConcurrentQueue<BatchedSequence> _arrivals = new();
    private readonly List<BatchedSequence> _running = [];
    private readonly List<Scheduled> _scheduled = [];
    private readonly LLamaBatch _batch = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread _thread;
    private readonly Lock _arrivalsGate = new();
    private SharedPrefix? _loadedPrefix;
    private volatile bool _stopping;
    private bool _closed; // under _arrivalsGate: the decoder takes no more arrivals
    private int _disposed;
    private long _prefixTokensEvaluated;
    private long _prefillTokens;
    private long _decodeTokens;
    private long _steps;

    public BatchedEngine(LLamaContext context, LLamaWeights weights, KvCacheBudget budget, int stepTokens, ILogger logger, BatchingTelemetry? telemetry = null)
    {
        _context = context;
        _weights = weights;
        _budget = budget;
        _logger = logger;
        _telemetry = telemetry;
        _stepTokens = Math.Max(stepTokens, budget.MaxSequences); // every decoding sequence fits in one step
        _prefixSequence = (LLamaSeqId)budget.PrefixSequenceId;
        _thread = new Thread(Run) { IsBackground = true, Name = "Lode LLM batched decoder" };
        _thread.Start();
    }

    public int Busy => _budget.Active;

    public int MaxConcurrent => _budget.MaxSequences;

    public int Queued => _budget.Queued;

    public int MaxQueued => _budget.MaxQueued;

    /// <summary>Shared-prefix tokens evaluated so far (each prefix once, however many sequences fork it).</summary>
    public long PrefixTokensEvaluated => Interlocked.Read(ref _prefixTokensEvaluated);

    /// <summary>Prompt tokens decoded so far, shared prefixes included (a forked prefix is not decoded again).</summary>
    public long PrefillTokens => Interlocked.Read(ref _prefillTokens);

    public long DecodeTokens => Interlocked.Read(ref _decodeTokens);

    public long Steps => Interlocked.Read(ref _steps);

    internal KvCacheBudget Budget => _budget;

    /// <summary>Called on the decoder thread after every step with what it held (tests watch the interleaving).</summary>
    internal Action<BatchStep>? StepObserved { get; set; }

    /// <summary>
    /// Whether a running sequence's caller has left (its answer disposed) and the decoder has not yet retired it. Read
    /// it on the decoder thread only, i.e. from <see cref="StepObserved"/>: tests hold the decoder there until a
    /// caller's departure has reached it.
    /// </summary>
    internal bool AnyRunningCancelled => _running.Exists(s => s.Cancelled);

    /// <exception cref="ObjectDisposedException">The engine is stopping or stopped.</exception>
    public async Task<ILlamaSharpAnswer> StartAsync(LlamaSharpRequest request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        var queuedSince = Stopwatch.GetTimestamp();
        var promptIds = Array.ConvertAll(request.PromptTokens, t => (int)t);
        var reservation = await _budget.AdmitAsync(promptIds, request.SharedPrefixLength, request.MaxOutputTokens, cancellationToken).ConfigureAwait(false);
        BatchedSequence sequence;
        try
        {
            sequence = new BatchedSequence(this, request, reservation, _weights, queuedSince);
        }
        catch
        {
            _budget.Release(reservation);
            throw;
        }

        // Admission may end after the decoder has taken its last arrivals (a waiter granted by the shutdown's own
        // releases): such a sequence would never be decoded nor retired, and its caller would wait for ever.
        bool accepted;
        lock (_arrivalsGate)
        {
            accepted = !_closed;
            if (accepted)
            {
                _arrivals.Enqueue(sequence);
            }
        }

        if (!accepted)
        {
            sequence.Retired(); // never reached the cache: nothing to remove, only the sampler to free
            _budget.Release(reservation);
            throw new ObjectDisposedException(nameof(LlamaSharpLanguageModel), "The language model was shut down.");
        }

        _telemetry?.Admitted(sequence.QueueWait);
        Wake();
        return sequence;
    }

    internal void Wake()
    {
        try
        {
            _wake.Set();
        }
        catch (ObjectDisposedException)
        {
            // Disposed: nothing left to wake.
        }
    }

    private void Run()
    {
        while (!_stopping)
        {
            try
            {
                while (_arrivals.TryDequeue(out var arrived))
                {
                    _running.Add(arrived);
                }

                RetireFinished();
                DropReplacedPrefix();
                BuildStep();
                if (_batch.TokenCount == 0)
                {
                    _wake.WaitOne();
                    continue;
                }

                RunStep();
            }
            catch (Exception e)
            {
                // A failure is the scheduled sequences' (their callers see it); the others go on.
                _logger.LogError(e, "A batched decode step failed; its {Count} sequence(s) end with the error.", _scheduled.Count);
                foreach (var item in _scheduled)
                {
                    item.Sequence.Fail(e);
                    if (item.Kind == StepKind.PrefixPrefill && item.Sequence.Reservation.Prefix is { } prefix)
                    {
                        // Part of the chunk may be in the cache: keep only what is known to be evaluated.
                        _context.NativeHandle.MemorySequenceRemove(_prefixSequence, prefix.Evaluated, -1);
                    }
                }

                _scheduled.Clear();
            }
        }

        lock (_arrivalsGate)
        {
            _closed = true;
        }

        // Still on the decoder thread: the context's last native calls, before Dispose frees it.
        foreach (var sequence in _running.Concat(_arrivals))
        {
            sequence.Fail(new ObjectDisposedException(nameof(LlamaSharpLanguageModel), "The language model was shut down."));
            Retire(sequence);
        }

        _running.Clear();
    }

    private void RetireFinished()
    {
        for (var i = _running.Count - 1; i >= 0; i--)
        {
            var sequence = _running[i];
            if (sequence.Finished || sequence.Cancelled)
            {
                _running.RemoveAt(i);
                Retire(sequence);
            }
        }
    }

    /// <summary>Frees the sequence's cells (shared prefix cells stay with the prefix sequence), then its budget.</summary>
    private void Retire(BatchedSequence sequence)
    {
        _context.NativeHandle.MemorySequenceRemove(sequence.SequenceId, -1, -1);
        if (sequence.Reservation.Prefix is { } prefix && ReferenceEquals(prefix.Evaluator, sequence))
        {
            prefix.Evaluator = null; // another user of the prefix carries on from prefix.Evaluated
        }

        sequence.Retired();
        _budget.Release(sequence.Reservation);
        _telemetry?.Left();
    }

    /// <summary>The budget replaced or dropped the prefix (no one uses it): its cells go before anything new is decoded.</summary>
    private void DropReplacedPrefix()
    {
        if (_loadedPrefix is not null && !ReferenceEquals(_loadedPrefix, _budget.CurrentPrefix))
        {
            _context.NativeHandle.MemorySequenceRemove(_prefixSequence, -1, -1);
            _loadedPrefix = null;
        }
    }

    private void BuildStep()
    {
        _batch.Clear();
        _scheduled.Clear();
        var room = _stepTokens;

        // Decode first: running answers advance every step, whatever prompts are arriving.
        foreach (var sequence in _running)
        {
            if (sequence is { Finished: false, Cancelled: false, ReaderIsBehind: false, Pending: { } token })
            {
                var index = _batch.Add(token, sequence.Position, sequence.SequenceId, logits: true);
                _scheduled.Add(new Scheduled(sequence, StepKind.Decode, 1, index));
                room--;
            }
        }

        // Then prompt chunks in the room left, oldest request first.
        foreach (var sequence in _running)
        {
            if (room == 0)
            {
                break;
            }

            if (sequence is { Prefilling: true, Finished: false, Cancelled: false })
            {
                room -= ScheduleChunk(sequence, room);
            }
        }
    }

    /// <summary>Adds up to <paramref name="room"/> prompt tokens of a prefilling sequence; returns how many.</summary>
    private int ScheduleChunk(BatchedSequence sequence, int room)
    {
        var prompt = sequence.Request.PromptTokens;
        if (sequence.Reservation.Prefix is { } prefix && sequence.Position < prefix.Length)
        {
            if (!ReferenceEquals(_loadedPrefix, prefix))
            {
                _loadedPrefix = prefix; // DropReplacedPrefix has emptied the prefix sequence
            }

            if (prefix.Evaluated > sequence.Position)
            {
                // Share what is evaluated already: the cells get this sequence's id too, nothing is recomputed.
                _context.NativeHandle.MemorySequenceCopy(_prefixSequence, sequence.SequenceId, sequence.Position, prefix.Evaluated);
                sequence.Position = prefix.Evaluated;
            }

            if (sequence.Position < prefix.Length)
            {
                prefix.Evaluator ??= sequence;
                if (!ReferenceEquals(prefix.Evaluator, sequence))
                {
                    return 0; // waits for the evaluator, then copies
                }

                var count = Math.Min(room, prefix.Length - sequence.Position);
                ReadOnlySpan<LLamaSeqId> both = [_prefixSequence, sequence.SequenceId];
                for (var i = 0; i < count; i++)
                {
                    var position = sequence.Position + i;
                    _batch.Add(prompt[position], position, both, logits: false);
                }

                _scheduled.Add(new Scheduled(sequence, StepKind.PrefixPrefill, count, -1));
                return count;
            }
        }

        var take = Math.Min(room, prompt.Length - sequence.Position);
        var last = -1;
        for (var i = 0; i < take; i++)
        {
            var position = sequence.Position + i;
            last = _batch.Add(prompt[position], position, sequence.SequenceId, logits: position == prompt.Length - 1);
        }

        _scheduled.Add(new Scheduled(sequence, StepKind.Prefill, take, sequence.Position + take == prompt.Length ? last : -1));
        return take;
    }

    private void RunStep()
    {
        var started = Stopwatch.GetTimestamp();
        var result = _context.Decode(_batch);
        if (result != DecodeResult.Ok)
        {
            throw new LLamaDecodeError(result);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        int decoded = 0, prefilled = 0;
        foreach (var item in _scheduled)
        {
            var sequence = item.Sequence;
            switch (item.Kind)
            {
                case StepKind.Decode:
                    decoded++;
                    sequence.Fed();
                    break;
                case StepKind.PrefixPrefill:
                    prefilled += item.Tokens;
                    sequence.Position += item.Tokens;
                    sequence.Reservation.Prefix!.Evaluated = sequence.Position;
                    Interlocked.Add(ref _prefixTokensEvaluated, item.Tokens);
                    break;
                default:
                    prefilled += item.Tokens;
                    sequence.Position += item.Tokens;
                    break;
            }

            if (item.LogitsIndex >= 0 && !sequence.Cancelled)
            {
                sequence.Sample(_context.NativeHandle, item.LogitsIndex);
            }
        }

        Interlocked.Add(ref _decodeTokens, decoded);
        Interlocked.Add(ref _prefillTokens, prefilled);
        Interlocked.Increment(ref _steps);
        _telemetry?.Step(decoded, prefilled, elapsed, _budget.MaxSequences);
        _scheduled.Clear();
        StepObserved?.Invoke(new BatchStep(decoded, prefilled));
    }

    /// <summary>
    /// Stops the decoder and frees the context once the decoder thread has exited, so no native call can run on a freed
    /// context: callers waiting for admission get <see cref="ObjectDisposedException"/> at once, running answers end
    /// with it, and their sequences are retired on the decoder thread before it exits.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stopping = true;
        _budget.Close();
        _wake.Set();
        _thread.Join();
        _wake.Dispose();
        _batch.Clear();
        _context.Dispose();
    }

    private enum StepKind
    {
        Decode,
        Prefill,
        PrefixPrefill,
    }

    private readonly record struct Scheduled(BatchedSequence Sequence, StepKind Kind, int Tokens, int LogitsIndex);
}

/// <summary>What one decode step held: answer tokens of running sequences and prompt tokens of prefilling ones.</summary>
internal readonly record struct BatchStep(int Decoded, int Prefilled);
