namespace Lode.Ingestion.Queue;

/// <summary>
/// Lets the intake writer wait, for a bounded moment, until a given number of requests are queued. Senders that were
/// answered by one commit send their next notifications within about one request's handling time; without this wait the
/// first of them starts the next commit alone and the others trickle into the ones after it, each paying a full commit
/// (an fsync) for fewer requests. One waiter (the writer) at a time.
/// </summary>
internal sealed class RequestGathering(Func<int> queued)
{
    private TaskCompletionSource? _gathered;
    private int _target;

    /// <summary>Called after each request is queued: ends the writer's wait once enough are.</summary>
    public void Arrived()
    {
        if (Volatile.Read(ref _gathered) is { } gathered && queued() >= Volatile.Read(ref _target)) gathered.TrySetResult();
    }

    /// <summary>Returns once <paramref name="target"/> requests are queued or <paramref name="limit"/> has passed.</summary>
    public async Task WaitAsync(int target, TimeSpan limit, CancellationToken cancellationToken)
    {
        if (limit <= TimeSpan.Zero || queued() >= target) return;
        var gathered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _target, target);
        // A full fence before counting again: a request queued between the first count and this publication must be seen
        // here, or see the published wait itself.
        Interlocked.Exchange(ref _gathered, gathered);
        try
        {
            if (queued() >= target) return;
            await gathered.Task.WaitAsync(limit, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Fewer came back than last time (a sender went quiet): commit those that did.
        }
        finally
        {
            Interlocked.Exchange(ref _gathered, null);
        }
    }
}
