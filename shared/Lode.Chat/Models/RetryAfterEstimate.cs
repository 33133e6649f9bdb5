namespace Lode.Chat.Models;

/// <summary>
/// A guess at when a refused request could be admitted, for Retry-After: the average time a request held its place
/// (exponential moving average) times the waiting line per place, between 1 s and the queue timeout (1 s before
/// anything has run). Shared by the per-context pool and the batched KV budget.
/// </summary>
internal sealed class RetryAfterEstimate(int places, TimeSpan queueTimeout)
{
    private long _averageTicks;

    public void Record(TimeSpan held)
    {
        var previous = Interlocked.Read(ref _averageTicks);
        Interlocked.Exchange(ref _averageTicks, previous == 0 ? held.Ticks : (previous * 3 + held.Ticks) / 4);
    }

    public TimeSpan Estimate(int queued)
    {
        var average = TimeSpan.FromTicks(Interlocked.Read(ref _averageTicks));
        var estimate = average * ((queued + 1.0) / places);
        var ceiling = queueTimeout > TimeSpan.FromSeconds(1) ? queueTimeout : TimeSpan.FromSeconds(1);
        return TimeSpan.FromSeconds(Math.Ceiling(Math.Clamp(estimate.TotalSeconds, 1, ceiling.TotalSeconds)));
    }
}
