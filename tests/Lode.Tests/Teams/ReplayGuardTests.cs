using Lode.Teams;
using Lode.Tests.Support;

namespace Lode.Tests.Teams;

/// <summary>Replay protection of signed messages: a time window plus the ids seen within it, in bounded memory.</summary>
public sealed class ReplayGuardTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 14, 9, 26, 53, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private readonly ManualClock _clock = new(Now);

    private ReplayGuard Guard(int capacity = 100) => new(Window, capacity, _clock);

    [Fact]
    public void A_fresh_message_is_accepted_once_and_refused_as_a_replay_afterwards()
    {
        var guard = Guard();

        Assert.Equal(ReplayVerdict.Accepted, guard.Check("a", Now.AddSeconds(-3)));
        Assert.Equal(ReplayVerdict.Replayed, guard.Check("a", Now.AddSeconds(-3)));
        Assert.Equal(ReplayVerdict.Accepted, guard.Check("b", Now.AddSeconds(-3)));
    }

    [Fact]
    public void A_message_older_or_newer_than_the_window_is_refused_and_the_edges_are_inside()
    {
        var guard = Guard();

        Assert.Equal(ReplayVerdict.OutsideWindow, guard.Check("old", Now - Window - TimeSpan.FromMilliseconds(1)));
        Assert.Equal(ReplayVerdict.OutsideWindow, guard.Check("future", Now + Window + TimeSpan.FromMilliseconds(1)));
        Assert.Equal(ReplayVerdict.Accepted, guard.Check("oldest", Now - Window));
        Assert.Equal(ReplayVerdict.Accepted, guard.Check("newest", Now + Window));
    }

    [Fact]
    public void Once_its_timestamp_leaves_the_window_a_replayed_message_is_refused_as_stale()
    {
        var guard = Guard();
        Assert.Equal(ReplayVerdict.Accepted, guard.Check("a", Now));

        _clock.Advance(Window + TimeSpan.FromSeconds(1));

        Assert.Equal(ReplayVerdict.OutsideWindow, guard.Check("a", Now));
    }

    [Fact]
    public void When_full_of_ids_still_in_the_window_new_messages_are_refused_until_old_ones_expire()
    {
        var guard = Guard(capacity: 2);
        Assert.Equal(ReplayVerdict.Accepted, guard.Check("a", Now));
        Assert.Equal(ReplayVerdict.Accepted, guard.Check("b", Now));

        Assert.Equal(ReplayVerdict.Full, guard.Check("c", Now));
        Assert.Equal(ReplayVerdict.Replayed, guard.Check("a", Now)); // a full guard still recognises what it holds

        _clock.Advance(Window + TimeSpan.FromSeconds(1));
        Assert.Equal(ReplayVerdict.Accepted, guard.Check("c", Now + Window));
        Assert.Equal(ReplayVerdict.Accepted, guard.Check("d", Now + Window));
    }

    [Fact]
    public async Task Of_many_concurrent_deliveries_of_one_message_exactly_one_is_accepted()
    {
        var guard = Guard();
        using var start = new ManualResetEventSlim();

        var deliveries = Enumerable.Range(0, 32).Select(_ => Task.Run(() =>
        {
            start.Wait();
            return guard.Check("same", Now);
        })).ToList();
        start.Set();
        var verdicts = await Task.WhenAll(deliveries);

        Assert.Single(verdicts, v => v == ReplayVerdict.Accepted);
        Assert.Equal(31, verdicts.Count(v => v == ReplayVerdict.Replayed));
    }
}
