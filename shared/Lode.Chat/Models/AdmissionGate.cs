namespace Lode.Chat.Models;

/// <summary>
/// Bounded concurrency with a bounded, timed wait: at most <c>maxConcurrent</c> holders at once; beyond that at most
/// <c>maxQueued</c> callers wait, each at most <c>queueTimeout</c>; anyone else gets <see cref="ModelBusyException"/>
/// at once, with a Retry-After estimated from how long holders stay. Used by the per-context pool (one context per
/// holder) and in front of the on-premises OpenAI-compatible server.
/// </summary>
public sealed class AdmissionGate
{
    private readonly SemaphoreSlim _slots;
    private readonly TimeSpan _queueTimeout;
    private readonly RetryAfterEstimate _retryAfter;
    private int _queued;
    private int _busy;

    public AdmissionGate(int maxConcurrent, int maxQueued, TimeSpan queueTimeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrent, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxQueued);
        _slots = new SemaphoreSlim(maxConcurrent, maxConcurrent);
        MaxConcurrent = maxConcurrent;
        MaxQueued = maxQueued;
        _queueTimeout = queueTimeout;
        _retryAfter = new RetryAfterEstimate(maxConcurrent, queueTimeout);
    }

    public int MaxConcurrent { get; }

    public int MaxQueued { get; }

    /// <summary>Holders now.</summary>
    public int Busy => Volatile.Read(ref _busy);

    /// <summary>Callers waiting now.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>Waits for a place (or throws <see cref="ModelBusyException"/>); dispose the ticket to leave.</summary>
    public async Task<Ticket> EnterAsync(CancellationToken cancellationToken)
    {
        if (!_slots.Wait(0, CancellationToken.None))
        {
            if (Interlocked.Increment(ref _queued) > MaxQueued)
            {
                Interlocked.Decrement(ref _queued);
                throw new ModelBusyException(_retryAfter.Estimate(Queued));
            }

            bool entered;
            try
            {
                entered = await _slots.WaitAsync(_queueTimeout, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _queued);
            }

            if (!entered)
            {
                throw new ModelBusyException(_retryAfter.Estimate(Queued));
            }
        }

        Interlocked.Increment(ref _busy);
        return new Ticket(this);
    }

    private void Leave(TimeSpan held)
    {
        _retryAfter.Record(held);
        Interlocked.Decrement(ref _busy);
        _slots.Release();
    }

    /// <summary>One place; dispose to give it back (once).</summary>
    public sealed class Ticket : IDisposable
    {
        private readonly AdmissionGate _gate;
        private readonly long _entered = System.Diagnostics.Stopwatch.GetTimestamp();
        private int _left;

        internal Ticket(AdmissionGate gate) => _gate = gate;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                _gate.Leave(System.Diagnostics.Stopwatch.GetElapsedTime(_entered));
            }
        }
    }
}
