using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lode.Functions.Hosting;

/// <summary>
/// Standalone mode's stand-in for the host's timer trigger: each timer function runs on its schedule in its own
/// loop (so one timer never overlaps itself, like the host's singleton timers), in a fresh DI scope per run.
/// A failing run is logged and the schedule goes on.
/// </summary>
internal sealed class TimerFunctionScheduler(
    FunctionCatalog catalog,
    IServiceScopeFactory scopes,
    TimeProvider time,
    ILogger<TimerFunctionScheduler> logger) : BackgroundService
{
    // Task.Delay cannot wait longer than ~49 days; long gaps (a yearly cron) are waited in slices.
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(catalog.Timers.Select(timer => RunScheduleAsync(timer, stoppingToken)));

    private async Task RunScheduleAsync(TimerFunction timer, CancellationToken stoppingToken)
    {
        DateTimeOffset? last = null;
        try
        {
            if (timer.RunOnStartup)
            {
                last = await RunOnceAsync(timer, last, stoppingToken);
            }

            while (timer.Schedule.NextAfter(time.GetUtcNow()) is { } next)
            {
                for (var wait = next - time.GetUtcNow(); wait > TimeSpan.Zero; wait = next - time.GetUtcNow())
                {
                    await Task.Delay(wait < LongestWait ? wait : LongestWait, time, stoppingToken);
                }

                last = await RunOnceAsync(timer, last, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The app is stopping.
        }
    }

    private async Task<DateTimeOffset> RunOnceAsync(TimerFunction timer, DateTimeOffset? last, CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        var info = new TimerInfo
        {
            IsPastDue = false,
            ScheduleStatus = new ScheduleStatus
            {
                Last = (last ?? DateTimeOffset.MinValue).UtcDateTime,
                Next = (timer.Schedule.NextAfter(now) ?? DateTimeOffset.MaxValue).UtcDateTime,
                LastUpdated = now.UtcDateTime,
            },
        };

        await using var scope = scopes.CreateAsyncScope();
        try
        {
            await timer.Invoker.InvokeAsync(new FunctionInvocation(scope.ServiceProvider, null, info, stoppingToken));
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogError(e, "Timer function {Function} failed; it runs again on its schedule ({Schedule})",
                timer.Name, timer.Schedule.Expression);
        }

        return now;
    }
}
