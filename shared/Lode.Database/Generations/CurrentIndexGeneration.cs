namespace Lode.Database.Generations;

/// <summary>
/// The current generation as searches need it, read at most once per <see cref="MaxAge"/> (searches come many a
/// second; a switch is rare). A search reads it once and runs entirely on that generation, so it never mixes two: one
/// that started just before a switch finishes on the old generation, which is kept (as previous) after it.
/// </summary>
public sealed class CurrentIndexGeneration(IndexGenerations generations, TimeProvider clock)
{
    /// <summary>How long a switch may go unnoticed by searches.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private sealed record Reading(IndexGeneration Generation, long StartedAt);

    private Reading? _last;

    /// <exception cref="InvalidOperationException">The index has no current generation (start-up has not run).</exception>
    public async ValueTask<IndexGeneration> GetAsync(CancellationToken ct)
    {
        var last = Volatile.Read(ref _last);
        if (last is not null && clock.GetElapsedTime(last.StartedAt) < MaxAge) return last.Generation;
        var startedAt = clock.GetTimestamp();
        var current = await generations.CurrentAsync(ct)
            ?? throw new InvalidOperationException("The index has no current generation yet: the app's start-up creates it.");
        Keep(new Reading(current, startedAt));
        return current;
    }

    // Concurrent reads may finish out of order: a reading replaces only one that began earlier, so searches never go
    // back to the old generation after one has seen the new one.
    private void Keep(Reading reading)
    {
        var seen = Volatile.Read(ref _last);
        while (seen is null || seen.StartedAt < reading.StartedAt)
        {
            var witnessed = Interlocked.CompareExchange(ref _last, reading, seen);
            if (ReferenceEquals(witnessed, seen)) return;
            seen = witnessed;
        }
    }
}
