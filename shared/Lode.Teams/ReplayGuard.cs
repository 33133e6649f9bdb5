namespace Lode.Teams;

/// <summary>What <see cref="ReplayGuard.Check"/> decided about a signed message.</summary>
public enum ReplayVerdict
{
    /// <summary>Fresh and first seen: process it.</summary>
    Accepted,
    /// <summary>Sent too long ago (or too far in the future): a signature alone cannot tell a captured copy apart.</summary>
    OutsideWindow,
    /// <summary>This id was already accepted within the window.</summary>
    Replayed,
    /// <summary>As many messages as the guard can remember are still inside the window; refused rather than forgotten.</summary>
    Full,
}

/// <summary>
/// Protects a signed endpoint against replays: a message is accepted only if its timestamp is within
/// <c>window</c> of now and its id has not been accepted before. An id needs remembering only until its timestamp
/// leaves the window (the window check refuses it from then on), so memory is bounded by the message rate; past
/// <c>capacity</c> the guard refuses new messages instead of forgetting ids that could still be replayed.
/// In memory and per process: behind several instances, a replay reaching another instance within the window is
/// not detected (the window still bounds it).
/// </summary>
public sealed class ReplayGuard(TimeSpan window, int capacity, TimeProvider clock)
{
    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, DateTimeOffset> _byExpiry = new();
    private readonly Lock _gate = new();

    public ReplayVerdict Check(string id, DateTimeOffset sentAt)
    {
        var now = clock.GetUtcNow();
        if (sentAt < now - window || sentAt > now + window) return ReplayVerdict.OutsideWindow;
        lock (_gate)
        {
            ForgetExpired(now);
            if (_seen.ContainsKey(id)) return ReplayVerdict.Replayed;
            if (_seen.Count >= capacity) return ReplayVerdict.Full;
            var expiry = sentAt + window;
            _seen.Add(id, expiry);
            _byExpiry.Enqueue(id, expiry);
            return ReplayVerdict.Accepted;
        }
    }

    private void ForgetExpired(DateTimeOffset now)
    {
        while (_byExpiry.TryPeek(out var id, out var expiry) && expiry < now)
        {
            _byExpiry.Dequeue();
            _seen.Remove(id);
        }
    }
}
