using Lode.Chat.Models;
using Lode.Chat.Models.Batching;

namespace Lode.Tests.LanguageModels;

/// <summary>Admission to the shared KV cache: pure accounting, no model.</summary>
public sealed class KvCacheBudgetTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private static int[] Prompt(int length, int start = 1) => Enumerable.Range(start, length).ToArray();

    [Fact]
    public async Task A_request_too_large_for_the_whole_cache_is_refused_with_the_reason()
    {
        var budget = new KvCacheBudget(capacity: 100, maxSequences: 4, maxQueued: 4, Generous);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => budget.AdmitAsync(Prompt(80), 0, 30, CancellationToken.None));

        Assert.Contains("110 tokens of KV cache", error.Message, StringComparison.Ordinal);
        Assert.Contains("Llm:ContextSize", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, budget.Used);
        Assert.Equal(0, budget.Queued);
    }

    [Fact]
    public async Task A_request_that_fits_later_waits_and_is_admitted_when_cells_are_released()
    {
        var budget = new KvCacheBudget(capacity: 100, maxSequences: 4, maxQueued: 4, Generous);
        var first = await budget.AdmitAsync(Prompt(50), 0, 10, CancellationToken.None);

        var second = budget.AdmitAsync(Prompt(40), 0, 10, CancellationToken.None); // 60 + 50 > 100

        Assert.False(second.IsCompleted);
        Assert.Equal(1, budget.Queued);
        budget.Release(first);
        var admitted = await second.WaitAsync(Generous);
        Assert.Equal(50, admitted.OwnTokens);
        Assert.Equal(50, budget.Used);
        Assert.Equal(0, budget.Queued);
    }

    [Fact]
    public async Task Closing_ends_the_waiting_requests_at_once_and_refuses_new_ones_while_granted_ones_still_release()
    {
        var budget = new KvCacheBudget(capacity: 100, maxSequences: 4, maxQueued: 4, TimeSpan.FromMinutes(10));
        var holder = await budget.AdmitAsync(Prompt(90), 0, 10, CancellationToken.None);
        var waiting = budget.AdmitAsync(Prompt(40), 0, 10, CancellationToken.None);

        budget.Close();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(Generous));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => budget.AdmitAsync(Prompt(5), 0, 5, CancellationToken.None));
        Assert.Equal(0, budget.Queued);
        budget.Release(holder);
        Assert.Equal(0, budget.Used);
        Assert.Equal(0, budget.Active);
    }

    [Fact]
    public async Task Waiters_are_admitted_first_come_first_served()
    {
        var budget = new KvCacheBudget(capacity: 100, maxSequences: 4, maxQueued: 4, Generous);
        var holder = await budget.AdmitAsync(Prompt(90), 0, 10, CancellationToken.None);
        var large = budget.AdmitAsync(Prompt(70), 0, 10, CancellationToken.None);
        var small = budget.AdmitAsync(Prompt(5), 0, 5, CancellationToken.None); // would fit beside "large" only

        budget.Release(holder);

        await large.WaitAsync(Generous);
        await small.WaitAsync(Generous);
        Assert.Equal(90, budget.Used);
    }

    [Fact]
    public async Task Beyond_the_queue_a_request_is_refused_at_once_with_a_retry_after()
    {
        var budget = new KvCacheBudget(capacity: 100, maxSequences: 1, maxQueued: 1, Generous);
        await budget.AdmitAsync(Prompt(10), 0, 10, CancellationToken.None);
        _ = budget.AdmitAsync(Prompt(10), 0, 10, CancellationToken.None); // the one queue place (no free sequence id)

        var busy = await Assert.ThrowsAsync<ModelBusyException>(() => budget.AdmitAsync(Prompt(10), 0, 10, CancellationToken.None));

        Assert.InRange(busy.RetryAfter, TimeSpan.FromSeconds(1), Generous);
        Assert.Equal(1, budget.Queued);
    }

    [Fact]
    public async Task A_waiter_that_times_out_is_refused_and_leaves_the_queue()
    {
        var budget = new KvCacheBudget(capacity: 100, maxSequences: 1, maxQueued: 1, TimeSpan.FromMilliseconds(200));
        await budget.AdmitAsync(Prompt(10), 0, 10, CancellationToken.None);

        await Assert.ThrowsAsync<ModelBusyException>(() => budget.AdmitAsync(Prompt(10), 0, 10, CancellationToken.None));

        Assert.Equal(0, budget.Queued);
    }

    [Fact]
    public async Task A_shared_prefix_is_reserved_once_and_later_requests_reserve_only_what_follows_it()
    {
        var budget = new KvCacheBudget(capacity: 100, maxSequences: 4, maxQueued: 4, Generous);
        var prompt = Prompt(30);

        var first = await budget.AdmitAsync(prompt, prefixLength: 20, maxOutputTokens: 10, CancellationToken.None);
        var second = await budget.AdmitAsync(prompt.Concat(Prompt(5, 900)).ToArray(), prefixLength: 20, maxOutputTokens: 10, CancellationToken.None);

        Assert.Same(first.Prefix, second.Prefix);
        Assert.Equal(20, first.OwnTokens);
        Assert.Equal(25, second.OwnTokens);
        Assert.Equal(20 + 20 + 25, budget.Used);

        // The prefix stays (for the next request) while idle ...
        budget.Release(first);
        budget.Release(second);
        Assert.Equal(20, budget.Used);
        Assert.Same(first.Prefix, budget.CurrentPrefix);

        // ... and gives its cells up when a request needs them.
        var big = await budget.AdmitAsync(Prompt(85, 500), 0, 10, CancellationToken.None);
        Assert.Equal(95, budget.Used);
        Assert.Null(budget.CurrentPrefix);
        budget.Release(big);
    }

    [Fact]
    public async Task A_different_prefix_does_not_replace_one_in_use()
    {
        var budget = new KvCacheBudget(capacity: 200, maxSequences: 4, maxQueued: 4, Generous);
        var first = await budget.AdmitAsync(Prompt(30), 20, 10, CancellationToken.None);

        var other = await budget.AdmitAsync(Prompt(30, 100), 20, 10, CancellationToken.None);

        Assert.Null(other.Prefix); // no sharing: its whole prompt is its own
        Assert.Equal(40, other.OwnTokens);
        Assert.Same(first.Prefix, budget.CurrentPrefix);
    }
}
