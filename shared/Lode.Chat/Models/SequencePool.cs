using System.Collections.Concurrent;
using System.Diagnostics;

namespace Lode.Chat.Models;

/// <summary>
/// Admission control for generation: at most <c>maxConcurrent</c> leases at once, each holding one reusable resource
/// (a llama.cpp context); beyond that at most <c>maxQueued</c> callers wait, each at most <c>queueTimeout</c>;
/// anyone else gets <see cref="ModelBusyException"/> at once. Resources are created on demand and kept for reuse, so
/// a quiet process holds only as many as it ever needed at the same time.
/// </summary>
public sealed class SequencePool<T> : IDisposable where T : class, IDisposable
{
    private readonly Func<T> _create;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentBag<T> _idle = [];
    private readonly TimeSpan _queueTimeout;
    private readonly int _maxQueued;
    private int _queued;
    private int _busy;
    private readonly RetryAfterEstimate _retryAfter;
    private bool _disposed;

    public SequencePool(Func<T> create, int maxConcurrent, int maxQueued, TimeSpan queueTimeout)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrent, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxQueued);
        _create = create;
        _slots = new SemaphoreSlim(maxConcurrent, maxConcurrent);
        MaxConcurrent = maxConcurrent;
        _maxQueued = maxQueued;
        _queueTimeout = queueTimeout;
        _retryAfter = new RetryAfterEstimate(maxConcurrent, queueTimeout);
    }

    public int MaxConcurrent { get; }

    public int MaxQueued => _maxQueued;

    /// <summary>Leases held now.</summary>
    public int Busy => Volatile.Read(ref _busy);

    /// <summary>Callers waiting for a lease now.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>Adds an already created resource to the idle set (e.g. one made at start-up to fail early).</summary>
    public void AddIdle(T resource) => _idle.Add(resource);

    /// <summary>
    /// Waits for a free slot (or throws <see cref="ModelBusyException"/>: queue full, or waited
    /// <c>queueTimeout</c>), then hands out an idle resource or a new one. Dispose the lease to give it back.
    /// </summary>
    public async Task<Lease> AcquireAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_slots.Wait(0, CancellationToken.None))
        {
            if (Interlocked.Increment(ref _queued) > _maxQueued)
            {
                Interlocked.Decrement(ref _queued);
                throw new ModelBusyException(RetryAfter());
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
                throw new ModelBusyException(RetryAfter());
            }
        }

        Interlocked.Increment(ref _busy);
        try
        {
            var resource = _idle.TryTake(out var idle) ? idle : _create();
            return new Lease(this, resource);
        }
        catch
        {
            Interlocked.Decrement(ref _busy);
            _slots.Release();
            throw;
        }
    }

    private TimeSpan RetryAfter() => _retryAfter.Estimate(Queued);

    private void Return(T resource, bool reusable, TimeSpan held)
    {
        _retryAfter.Record(held);
        if (reusable && !_disposed)
        {
            _idle.Add(resource);
        }
        else
        {
            resource.Dispose();
        }

        Interlocked.Decrement(ref _busy);
        _slots.Release();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        while (_idle.TryTake(out var resource))
        {
            resource.Dispose();
        }
    }

    /// <summary>One slot and its resource. Dispose returns both; <see cref="Discard"/> first if the resource is suspect.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly SequencePool<T> _pool;
        private readonly long _started = Stopwatch.GetTimestamp();
        private bool _reusable = true;
        private int _returned;

        internal Lease(SequencePool<T> pool, T resource)
        {
            _pool = pool;
            Resource = resource;
        }

        public T Resource { get; }

        /// <summary>Do not reuse the resource (e.g. a native call failed half-way): it is disposed on return.</summary>
        public void Discard() => _reusable = false;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _returned, 1) == 0)
            {
                _pool.Return(Resource, _reusable, Stopwatch.GetElapsedTime(_started));
            }
        }
    }
}
