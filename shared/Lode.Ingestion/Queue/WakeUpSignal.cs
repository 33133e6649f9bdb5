namespace Lode.Ingestion.Queue;

/// <summary>
/// Wakes one background loop of this process as soon as there may be work for it, so the work does not wait a whole
/// poll interval. Loops in other processes still find the work by polling.
/// </summary>
public abstract class WakeUpSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, int.MaxValue);

    public void Notify()
    {
        // Coalesce: one pending wake-up is enough for any number of notifications.
        if (_semaphore.CurrentCount == 0) _semaphore.Release();
    }

    /// <summary>
    /// Completes at the next notification (at once if one is pending). A wait that is not awaited to its end still takes
    /// a notification when it comes: keep one pending wait and reuse it rather than starting a new one each time.
    /// </summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _semaphore.WaitAsync(cancellationToken);
}
