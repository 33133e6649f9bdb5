using Microsoft.Extensions.DependencyInjection;

namespace Lode.Tests.Hosting;

/// <summary>[TimerTrigger] functions run in-process in standalone mode.</summary>
public sealed class TimerSchedulingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task RunOnStartup_timer_runs_at_start_with_a_TimerInfo()
    {
        await using var app = await StandaloneApp.StartAsync();
        var probe = app.Services.GetRequiredService<TimerProbe>();

        await WaitUntil(() => !probe.StartupRuns.IsEmpty);

        Assert.True(probe.StartupRuns.TryPeek(out var info));
        Assert.NotNull(info?.ScheduleStatus);
        Assert.True(info.ScheduleStatus.Next > DateTime.UtcNow);
        // Its cron is once a year: nothing but the startup run.
        Assert.Single(probe.StartupRuns);
    }

    [Fact]
    public async Task Cron_schedule_from_a_setting_runs_repeatedly()
    {
        await using var app = await StandaloneApp.StartAsync(["--Tests:FastSchedule=*/1 * * * * *"]);
        var probe = app.Services.GetRequiredService<TimerProbe>();

        await WaitUntil(() => probe.FastRuns.Count >= 2);

        Assert.All(probe.FastRuns, info => Assert.NotNull(info));
    }

    [Fact]
    public async Task Disabled_timer_does_not_run()
    {
        await using var app = await StandaloneApp.StartAsync(["--AzureWebJobs.TestStartupTimer.Disabled=true"]);
        var probe = app.Services.GetRequiredService<TimerProbe>();

        await Task.Delay(TimeSpan.FromMilliseconds(500));

        Assert.Empty(probe.StartupRuns);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the timer function");
            await Task.Delay(50);
        }
    }
}
