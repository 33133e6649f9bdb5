using System.Globalization;

namespace Lode.Benchmarks;

/// <summary>
/// CPU time on a shared Linux machine, split between the benchmark's own processes (this one, its children such as the
/// S3 server, and the PostgreSQL backends it names) and everything else, from /proc. It tells how much other users took
/// while a pass was being timed, so a disturbed figure can be recognised as such. Zero where /proc is missing.
/// </summary>
internal static class CpuAccount
{
    // USER_HZ: the unit of /proc's CPU times; 100 on every mainstream Linux configuration.
    private const double TicksPerSecond = 100;

    public readonly record struct Snapshot(long MachineBusyTicks, long OwnTicks);

    /// <summary>Machine-wide busy time (all CPUs) and the time of this process, its children and <paramref name="extraPids"/>.</summary>
    public static Snapshot Take(IEnumerable<int> extraPids)
    {
        if (!File.Exists("/proc/stat")) return default;
        var self = Environment.ProcessId;
        var pids = new HashSet<int>(extraPids) { self };
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && ReadStat(pid) is { ParentPid: var parent } && parent == self) pids.Add(pid);
        }

        return new Snapshot(MachineBusyTicks(), pids.Sum(pid => ReadStat(pid)?.Ticks ?? 0));
    }

    /// <summary>CPU seconds used by our processes, and by all others per second of wall time (cores).</summary>
    public static (double OwnSeconds, double OtherCores) Between(Snapshot start, Snapshot end, double wallSeconds)
    {
        var own = (end.OwnTicks - start.OwnTicks) / TicksPerSecond;
        var machine = (end.MachineBusyTicks - start.MachineBusyTicks) / TicksPerSecond;
        return (own, wallSeconds > 0 ? Math.Max(0, machine - own) / wallSeconds : 0);
    }

    /// <summary>
    /// CPU seconds of this process and of its children that have ended and been waited for (utime, stime, cutime and
    /// cstime of /proc/self/stat): tools a benchmark runs and reaps, such as tesseract, count once they exit. Zero
    /// where /proc is missing.
    /// </summary>
    public static double SelfAndEndedChildrenSeconds()
    {
        if (!File.Exists("/proc/self/stat")) return 0;
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return Enumerable.Range(11, 4).Sum(i => long.Parse(fields[i], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>
    /// Nanoseconds <paramref name="pids"/> have spent running on a CPU (the first field of /proc/PID/schedstat), summed;
    /// processes that ended count 0. Unlike wall time, this barely moves when other users keep the CPUs busy: time
    /// spent waiting for a CPU is the second field, not this one.
    /// </summary>
    public static long OnCpuNanoseconds(IEnumerable<int> pids) => pids.Sum(pid =>
    {
        try
        {
            var schedstat = File.ReadAllText($"/proc/{pid}/schedstat");
            return long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
        {
            return 0L; // the process ended meanwhile, or /proc has no schedstat here
        }
    });

    private static long MachineBusyTicks()
    {
        // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"; guest time is already in user.
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
        return Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
    }

    private static (int ParentPid, long Ticks)? ReadStat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (int.Parse(fields[1], CultureInfo.InvariantCulture),
                long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
        {
            return null; // the process ended meanwhile
        }
    }
}
