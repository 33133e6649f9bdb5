using System.Globalization;
using System.Text.RegularExpressions;
using Cronos;
using Microsoft.Extensions.Configuration;

namespace Lode.Functions.Hosting;

/// <summary>
/// A [TimerTrigger] schedule as the Functions host reads it: a six-field cron expression (with seconds) or a
/// TimeSpan ("00:05:00"), either possibly written as %SettingName% and taken from configuration. Times are UTC.
/// </summary>
public sealed partial class TimerSchedule
{
    private readonly CronExpression? _cron;
    private readonly TimeSpan _interval;

    private TimerSchedule(string expression, CronExpression? cron, TimeSpan interval)
    {
        Expression = expression;
        _cron = cron;
        _interval = interval;
    }

    /// <summary>The schedule after %Setting% resolution.</summary>
    public string Expression { get; }

    public DateTimeOffset? NextAfter(DateTimeOffset instant) =>
        _cron is not null ? _cron.GetNextOccurrence(instant, TimeZoneInfo.Utc) : instant + _interval;

    /// <exception cref="FormatException">The expression is neither cron nor TimeSpan, or names a missing setting.</exception>
    public static TimerSchedule Parse(string schedule, IConfiguration configuration)
    {
        var expression = SettingReference().Replace(schedule, match => Setting(configuration, match.Groups[1].Value));

        if (CronExpression.TryParse(expression, CronFormat.IncludeSeconds, out var cron))
        {
            return new TimerSchedule(expression, cron, TimeSpan.Zero);
        }

        if (TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out var interval) && interval > TimeSpan.Zero)
        {
            return new TimerSchedule(expression, null, interval);
        }

        throw new FormatException(
            $"'{expression}' is neither a six-field cron expression (seconds first) nor a positive TimeSpan.");
    }

    private static string Setting(IConfiguration configuration, string name) =>
        // App settings written as environment variables use "__" where configuration keys use ":".
        configuration[name] ?? configuration[name.Replace("__", ":", StringComparison.Ordinal)]
        ?? throw new FormatException($"The schedule refers to the setting '{name}', which is not configured.");

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingReference();
}
