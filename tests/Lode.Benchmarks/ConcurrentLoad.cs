using System.Collections.Concurrent;
using System.Diagnostics;

namespace Lode.Benchmarks;

/// <summary>What one concurrent pass measured: completed operations per second and each operation's latency.</summary>
internal sealed record LoadResult(int Operations, double Seconds, List<double> LatenciesMs)
{
    public double PerSecond => Operations / Seconds;
    public double P50 => ChatOverheadBenchmark.Percentile(LatenciesMs, 50);
    public double P95 => ChatOverheadBenchmark.Percentile(LatenciesMs, 95);
}

/// <summary>
/// Runs <c>callers</c> concurrent callers, each doing its share of <c>operations</c> one after another (as one client
/// does), and times the pass and each operation.
/// </summary>
internal static class ConcurrentLoad
{
    public static async Task<LoadResult> RunAsync(int callers, int operations, Func<int, Task> operation)
    {
        var latencies = new ConcurrentBag<double>();
        var next = -1;
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < operations)
            {
                var clock = Stopwatch.StartNew();
                await operation(index);
                latencies.Add(clock.Elapsed.TotalMilliseconds);
            }
        })));
        return new LoadResult(operations, wall.Elapsed.TotalSeconds, [.. latencies]);
    }
}
