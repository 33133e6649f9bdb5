using System.Collections.Concurrent;

namespace Lode.Identity;

/// <summary>
/// How many authentications may fail per client address: a token bucket per address whose tokens are taken
/// <em>before</em> a credential is checked and given back when it proves valid. Taking first is what makes the count
/// atomic: a burst of parallel guesses from one address each need a token of their own, so no more than the bucket
/// holds can be tried at once (checking the bucket and counting the failure afterwards let every request of a burst
/// pass the check before the first failure was counted). Memory stays bounded: full buckets hold nothing a fresh one
/// would not and are dropped every few hundred attempts, so only addresses that failed within the last refill are kept.
/// </summary>
public sealed class FailedAuthenticationBudget
{
    private const int SweepEvery = 256;

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;
    private readonly int _capacity;
    private readonly TimeSpan _refillPerToken;
    private int _attemptsSinceSweep;

    public FailedAuthenticationBudget(int capacity, TimeSpan refillPerToken, TimeProvider clock)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(refillPerToken, TimeSpan.Zero);
        _capacity = capacity;
        _refillPerToken = refillPerToken;
        _clock = clock;
    }

    /// <summary>Takes a token for one authentication from <paramref name="key"/>; refused when none is left.</summary>
    public RateLimitDecision TryTake(string key)
    {
        if (Interlocked.Increment(ref _attemptsSinceSweep) % SweepEvery == 0) DropFullBuckets();
        while (true)
        {
            var bucket = _buckets.GetOrAdd(key, _ => new Bucket(_capacity, _clock.GetTimestamp()));
            lock (bucket)
            {
                // A sweep removed this bucket between the lookup and the lock: take from the one that replaces it.
                if (bucket.Retired) continue;
                Refill(bucket);
                if (bucket.Tokens >= 1)
                {
                    bucket.Tokens -= 1;
                    return RateLimitDecision.Allow;
                }
                return new RateLimitDecision(false, _refillPerToken * (1 - bucket.Tokens));
            }
        }
    }

    /// <summary>Gives back the token of an authentication that did not fail (valid credential, or none presented).</summary>
    public void GiveBack(string key)
    {
        if (!_buckets.TryGetValue(key, out var bucket)) return;
        lock (bucket)
        {
            // A retired bucket had refilled completely; its replacement starts full anyway.
            if (!bucket.Retired) bucket.Tokens = Math.Min(_capacity, bucket.Tokens + 1);
        }
    }

    /// <summary>How many addresses are being tracked (for tests of the memory bound).</summary>
    public int TrackedAddresses => _buckets.Count;

    /// <summary>Drops every bucket that has refilled completely; such an address has no failure left to remember.</summary>
    public void DropFullBuckets()
    {
        foreach (var (key, bucket) in _buckets)
        {
            lock (bucket)
            {
                Refill(bucket);
                if (bucket.Tokens < _capacity) continue;
                bucket.Retired = true;
                _buckets.TryRemove(new KeyValuePair<string, Bucket>(key, bucket));
            }
        }
    }

    private void Refill(Bucket bucket)
    {
        var now = _clock.GetTimestamp();
        var elapsed = _clock.GetElapsedTime(bucket.Stamp, now);
        bucket.Stamp = now;
        bucket.Tokens = Math.Min(_capacity, bucket.Tokens + elapsed / _refillPerToken);
    }

    private sealed class Bucket(double tokens, long stamp)
    {
        public double Tokens = tokens;
        public long Stamp = stamp;
        public bool Retired;
    }
}
