using Lode.Identity;

namespace Lode.Tests.Security;

/// <summary>The per-address failure budget: atomic under parallel attempts, refilled by time, bounded in memory.</summary>
public sealed class FailedAuthenticationBudgetTests
{
    [Fact]
    public void Attempts_in_flight_hold_their_tokens_so_a_parallel_burst_cannot_outrun_the_count()
    {
        // The old limiter checked the bucket first and counted the failure afterwards: every request of a burst that
        // arrived before the first failure was counted passed the check. Here each attempt holds a token while it runs.
        var budget = new FailedAuthenticationBudget(3, TimeSpan.FromMinutes(1), new SteppedClock());

        var decisions = new RateLimitDecision[64];
        Parallel.For(0, decisions.Length, i => decisions[i] = budget.TryTake("198.51.100.7"));

        Assert.Equal(3, decisions.Count(d => d.Allowed));
        Assert.All(decisions.Where(d => !d.Allowed), d => Assert.True(d.RetryAfter > TimeSpan.Zero));
    }

    [Fact]
    public void An_attempt_that_did_not_fail_gives_its_token_back()
    {
        var budget = new FailedAuthenticationBudget(1, TimeSpan.FromMinutes(1), new SteppedClock());

        Assert.True(budget.TryTake("a").Allowed);
        budget.GiveBack("a");
        Assert.True(budget.TryTake("a").Allowed);
        Assert.False(budget.TryTake("a").Allowed);
        Assert.True(budget.TryTake("b").Allowed);
    }

    [Fact]
    public void The_budget_refills_with_time_and_full_buckets_are_forgotten()
    {
        var clock = new SteppedClock();
        var budget = new FailedAuthenticationBudget(2, TimeSpan.FromSeconds(30), clock);
        Assert.True(budget.TryTake("a").Allowed);
        Assert.True(budget.TryTake("a").Allowed);
        Assert.False(budget.TryTake("a").Allowed);

        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True(budget.TryTake("a").Allowed);

        budget.DropFullBuckets();
        Assert.Equal(1, budget.TrackedAddresses);
        clock.Advance(TimeSpan.FromSeconds(60));
        budget.DropFullBuckets();
        Assert.Equal(0, budget.TrackedAddresses);
    }

    /// <summary>A clock whose timestamps move only when the test moves them.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
