namespace Lode.Chat.Models.Batching;

/// <summary>
/// Admission to the one shared KV cache: a request is admitted when a sequence id is free and the cache cells it may
/// fill (its prompt plus its answer limit, less a shared prefix already held) fit in what is left of
/// <c>capacity</c>; otherwise it waits, first come first served, in a queue of at most <c>maxQueued</c> for at most
/// <c>queueTimeout</c>, and anyone beyond the queue gets <see cref="ModelBusyException"/> at once. A request that
/// could never fit is refused with the reason. FIFO on purpose: a large request is not overtaken forever by small ones.
/// <para>
/// One shared prefix (the system prompt) is kept: the first request that brings it reserves its cells for the prefix
/// sequence, later requests with the same prefix reserve only what follows it. The prefix is replaced by another one
/// only when no admitted request uses it, so the cells it shares with running sequences are never freed under them.
/// </para>
/// Thread-safe; the accounting is exact because a sequence's cells are removed from the cache before it is released.
/// </summary>
internal sealed class KvCacheBudget
{
    private readonly object _gate = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly Stack<int> _freeIds = new();
    private readonly RetryAfterEstimate _retryAfter;
    private int _used;
    private int _active;
    private bool _closed;
    private SharedPrefix? _prefix;

    public KvCacheBudget(int capacity, int maxSequences, int maxQueued, TimeSpan queueTimeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSequences, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxQueued);
        Capacity = capacity;
        MaxSequences = maxSequences;
        MaxQueued = maxQueued;
        QueueTimeout = queueTimeout;
        _retryAfter = new RetryAfterEstimate(maxSequences, queueTimeout);
        for (var id = maxSequences - 1; id >= 0; id--)
        {
            _freeIds.Push(id);
        }
    }

    /// <summary>Cache cells to share among sequences (<see cref="LlmOptions.ContextSize"/>).</summary>
    public int Capacity { get; }

    public int MaxSequences { get; }

    public int MaxQueued { get; }

    public TimeSpan QueueTimeout { get; }

    /// <summary>The sequence id the shared prefix lives in: one past the requests' ids.</summary>
    public int PrefixSequenceId => MaxSequences;

    public int Active { get { lock (_gate) return _active; } }

    public int Queued { get { lock (_gate) return _waiters.Count; } }

    /// <summary>The shared prefix held now (its cells are reserved), or null.</summary>
    public SharedPrefix? CurrentPrefix { get { lock (_gate) return _prefix; } }

    /// <summary>Cells reserved now (admitted requests and the shared prefix).</summary>
    public int Used { get { lock (_gate) return _used; } }

    /// <summary>
    /// Admits a request of <paramref name="promptTokens"/> prompt tokens and at most <paramref name="maxOutputTokens"/>
    /// answer tokens whose first <paramref name="prefixLength"/> prompt tokens are the shareable prefix (0: none).
    /// </summary>
    /// <exception cref="ArgumentException">The request can never fit in the cache.</exception>
    /// <exception cref="ModelBusyException">The queue is full, or the request waited <see cref="QueueTimeout"/>.</exception>
    /// <exception cref="ObjectDisposedException">The budget was closed (the model is shutting down).</exception>
    public async Task<KvReservation> AdmitAsync(
        IReadOnlyList<int> promptTokens, int prefixLength, int maxOutputTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(promptTokens);
        var whole = promptTokens.Count + maxOutputTokens;
        if (whole > Capacity)
        {
            throw new ArgumentException(
                $"The request needs {whole} tokens of KV cache ({promptTokens.Count} prompt + {maxOutputTokens} answer), more than the {Capacity} the model has in all (Llm:ContextSize).",
                nameof(promptTokens));
        }

        Waiter waiter;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            var request = new Request(promptTokens, prefixLength, maxOutputTokens);
            if (_waiters.Count == 0 && TryGrant(request) is { } granted)
            {
                return granted;
            }

            if (_waiters.Count >= MaxQueued)
            {
                throw new ModelBusyException(_retryAfter.Estimate(_waiters.Count));
            }

            waiter = new Waiter(request);
            waiter.Node = _waiters.AddLast(waiter);
        }

        try
        {
            return await waiter.Granted.Task.WaitAsync(QueueTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            lock (_gate)
            {
                if (waiter.Node?.List is not null)
                {
                    _waiters.Remove(waiter.Node);
                    GrantWaiters(); // the head may have been what held the others back
                }
            }

            // Granted in the same instant it gave up: hand the reservation straight back.
            if (waiter.Granted.Task.IsCompletedSuccessfully)
            {
                Release(waiter.Granted.Task.Result);
            }

            if (e is TimeoutException)
            {
                throw new ModelBusyException(_retryAfter.Estimate(Queued));
            }

            throw;
        }
    }

    /// <summary>
    /// Admits no one any more: waiting requests end with <see cref="ObjectDisposedException"/> now rather than at their
    /// queue timeout, and later ones are refused. Reservations already granted are still released as usual.
    /// </summary>
    public void Close()
    {
        List<Waiter> waiting;
        lock (_gate)
        {
            _closed = true;
            waiting = [.. _waiters];
            _waiters.Clear();
            foreach (var waiter in waiting)
            {
                waiter.Node = null;
            }
        }

        foreach (var waiter in waiting)
        {
            waiter.Granted.TrySetException(new ObjectDisposedException(nameof(KvCacheBudget), "The language model was shut down."));
        }
    }

    /// <summary>Gives a reservation's cells and sequence id back (after its cells were removed from the cache).</summary>
    public void Release(KvReservation reservation)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        if (!reservation.MarkReleased())
        {
            return;
        }

        _retryAfter.Record(reservation.Held);
        lock (_gate)
        {
            _used -= reservation.OwnTokens;
            _active--;
            _freeIds.Push(reservation.SequenceId);
            if (reservation.Prefix is { } prefix)
            {
                prefix.Users--;
            }

            GrantWaiters();
        }
    }

    private void GrantWaiters()
    {
        while (_waiters.First is { } head && TryGrant(head.Value.Request) is { } granted)
        {
            _waiters.RemoveFirst();
            head.Value.Node = null;
            if (!head.Value.Granted.TrySetResult(granted))
            {
                Release(granted);
            }
        }
    }

    private KvReservation? TryGrant(Request request)
    {
        if (_freeIds.Count == 0)
        {
            return null;
        }

        var prefix = request.PrefixLength > 0 ? PrefixFor(request) : null;
        var shares = prefix is not null;
        var own = request.PromptTokens.Count + request.MaxOutputTokens - (shares ? prefix!.Length : 0);
        var startsPrefix = prefix is not null && prefix != _prefix;
        var prefixCost = startsPrefix ? prefix!.Length : 0;
        // An unused old prefix gives its cells back when a new one replaces it.
        var freed = startsPrefix && _prefix is not null ? _prefix.Length : 0;
        if (_used - freed + prefixCost + own > Capacity)
        {
            // The idle prefix is worth less than a waiting request: drop it and try without sharing.
            if (_prefix is { Users: 0 } idle && _used - idle.Length + request.PromptTokens.Count + request.MaxOutputTokens <= Capacity)
            {
                _used -= idle.Length;
                _prefix = null;
                prefix = null;
                own = request.PromptTokens.Count + request.MaxOutputTokens;
            }
            else
            {
                return null;
            }
        }
        else if (startsPrefix)
        {
            _used -= freed;
            _used += prefixCost;
            _prefix = prefix;
        }

        if (prefix is not null)
        {
            prefix.Users++;
        }

        _used += own;
        _active++;
        return new KvReservation(_freeIds.Pop(), own, prefix);
    }

    /// <summary>The prefix to share: the one held if it matches, a new one if the held one is idle (or none is held).</summary>
    private SharedPrefix? PrefixFor(Request request)
    {
        if (_prefix is not null && _prefix.Matches(request.PromptTokens, request.PrefixLength))
        {
            return _prefix;
        }

        return _prefix is null or { Users: 0 }
            ? new SharedPrefix(request.PromptTokens.Take(request.PrefixLength).ToArray())
            : null;
    }

    private sealed record Request(IReadOnlyList<int> PromptTokens, int PrefixLength, int MaxOutputTokens);

    private sealed class Waiter(Request request)
    {
        public Request Request { get; } = request;

        public LinkedListNode<Waiter>? Node { get; set; }

        public TaskCompletionSource<KvReservation> Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>What an admitted request holds: a sequence id, its own cache cells, and the shared prefix it forks (if any).</summary>
internal sealed class KvReservation(int sequenceId, int ownTokens, SharedPrefix? prefix)
{
    private readonly long _admitted = System.Diagnostics.Stopwatch.GetTimestamp();
    private int _released;

    public int SequenceId { get; } = sequenceId;

    /// <summary>Cells reserved for this request alone: its prompt after the shared prefix, plus its answer limit.</summary>
    public int OwnTokens { get; } = ownTokens;

    public SharedPrefix? Prefix { get; } = prefix;

    internal TimeSpan Held => System.Diagnostics.Stopwatch.GetElapsedTime(_admitted);

    internal bool MarkReleased() => Interlocked.Exchange(ref _released, 1) == 0;
}

/// <summary>
/// The shared prompt prefix (system prompt): its tokens, and how far the decoder has evaluated them into the prefix
/// sequence. <see cref="Users"/> is guarded by the budget's lock; the evaluation state belongs to the decoder thread.
/// </summary>
internal sealed class SharedPrefix(int[] tokens)
{
    public int[] Tokens { get; } = tokens;

    public int Length => Tokens.Length;

    /// <summary>Admitted requests using it.</summary>
    public int Users { get; set; }

    /// <summary>Prefix tokens already in the prefix sequence's cache cells (decoder thread).</summary>
    public int Evaluated { get; set; }

    /// <summary>The sequence currently evaluating the prefix for everyone (decoder thread).</summary>
    public object? Evaluator { get; set; }

    public bool Matches(IReadOnlyList<int> prompt, int prefixLength)
    {
        if (prefixLength != Tokens.Length || prompt.Count < prefixLength)
        {
            return false;
        }

        for (var i = 0; i < prefixLength; i++)
        {
            if (prompt[i] != Tokens[i])
            {
                return false;
            }
        }

        return true;
    }
}
