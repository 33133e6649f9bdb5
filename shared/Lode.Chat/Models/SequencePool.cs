using System.Collections.Concurrent;

namespace Lode.Chat.Models;

/// <summary>
/// Admission control for generation with one reusable resource per holder (a llama.cpp context): an
/// <see cref="AdmissionGate"/> decides who may hold one, then an idle resource is handed out or a new one created.
/// Resources are kept for reuse, so a quiet process holds only as many as it ever needed at the same time.
/// </summary>
public sealed class SequencePool<T> : IDisposable where T : class, IDisposable
{
    private readonly Func<T> _create;
    private readonly AdmissionGate _gate;
    private readonly ConcurrentBag<T> _idle = [];
    private bool _disposed;

    public SequencePool(Func<T> create, int maxConcurrent, int maxQueued, TimeSpan queueTimeout)
    {
        ArgumentNullException.ThrowIfNull(create);
        _create = create;
        _gate = new AdmissionGate(maxConcurrent, maxQueued, queueTimeout);
    }

    public int MaxConcurrent => _gate.MaxConcurrent;

    public int MaxQueued => _gate.MaxQueued;

    /// <summary>Leases held now.</summary>
    public int Busy => _gate.Busy;

    /// <summary>Callers waiting for a lease now.</summary>
    public int Queued => _gate.Queued;

    /// <summary>Adds an already created resource to the idle set (e.g. one made at start-up to fail early).</summary>
    public void AddIdle(T resource) => _idle.Add(resource);

    /// <summary>
    /// Waits for a free slot (or throws <see cref="ModelBusyException"/>: queue full, or waited too long), then hands
    /// out an idle resource or a new one. Dispose the lease to give it back.
    /// </summary>
    public async Task<Lease> AcquireAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var ticket = await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var resource = _idle.TryTake(out var idle) ? idle : _create();
            return new Lease(this, ticket, resource);
        }
        catch
        {
            ticket.Dispose();
            throw;
        }
    }

    private void Return(T resource, bool reusable)
    {
        if (reusable && !_disposed)
        {
            _idle.Add(resource);
        }
        else
        {
            resource.Dispose();
        }
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
        private readonly AdmissionGate.Ticket _ticket;
        private bool _reusable = true;
        private int _returned;

        internal Lease(SequencePool<T> pool, AdmissionGate.Ticket ticket, T resource)
        {
            _pool = pool;
            _ticket = ticket;
            Resource = resource;
        }

        public T Resource { get; }

        /// <summary>Do not reuse the resource (e.g. a native call failed half-way): it is disposed on return.</summary>
        public void Discard() => _reusable = false;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _returned, 1) == 0)
            {
                _pool.Return(Resource, _reusable);
                _ticket.Dispose();
            }
        }
    }
}
