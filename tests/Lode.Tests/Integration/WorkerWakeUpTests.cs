using System.Diagnostics;
using System.Text;
using Lode.Tests.Support;

namespace Lode.Tests.Integration;

/// <summary>
/// A worker that has sat idle through polls still wakes at once for a job enqueued in its process (the webhook),
/// rather than at its next poll. Regression: each idle poll used to leave a wait on the wake-up signal behind, and the
/// next notification went to that abandoned wait (first in, first out) instead of the worker's current one.
/// </summary>
public sealed class WorkerWakeUpTests
{
    private const int PollSeconds = 20;

    [Fact]
    public async Task An_idle_worker_indexes_a_new_object_at_once_not_at_its_next_poll()
    {
        await using var stack = await LodeStack.StartAsync(null, null, $"--Ingestion:PollSeconds={PollSeconds}");
        // Past the worker's first idle poll: with the old code its first wait is now abandoned and would take the wake-up.
        await Task.Delay(TimeSpan.FromSeconds(PollSeconds + 1.5));

        const string key = "wake-up.txt";
        var watch = Stopwatch.StartNew();
        await stack.PutAsync(key, Encoding.UTF8.GetBytes("The night shift hands over to the day shift at seven."), "text/plain");
        await stack.WaitForStatusAsync(key, "indexed", TimeSpan.FromSeconds(PollSeconds * 2));

        // Well under a poll interval (the next poll is ~18.5 s away, a small text indexes in about a second): the webhook's
        // notification woke the worker. The wide margin keeps a noisy machine from failing it.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(PollSeconds / 2.0),
            $"indexed {watch.Elapsed.TotalSeconds:F1} s after the put; the worker waited for its poll");
    }
}
