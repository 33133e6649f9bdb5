using System.Globalization;
using System.Net;
using Lode.Ingestion.Queue;
using Lode.Tests.Hosting;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Benchmarks;

/// <summary>
/// Webhook intake: MinIO-shaped notifications (one record per request, as MinIO sends them) to POST api/minio/events
/// of the real app on Kestrel over a fresh database, from 1, 8 and 32 concurrent senders; each sender sends its next
/// event when the previous one was answered. Two apps in one run — group commit on (the default) and off (one
/// transaction per request, as before) — alternating which goes first from round to round. Every event names its own
/// object, so each 2xx is one committed job; the worker is off, so nothing else competes for the CPU or the database.
/// </summary>
internal static class IntakeBenchmark
{
    private const string Bucket = "docs";

    public static async Task<int> RunAsync(string[] args)
    {
        var events = Option(args, "--events", 2000);
        var rounds = Option(args, "--rounds", 2);
        var callers = (OptionText(args, "--senders") ?? "1,8,32").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();

        await using var onDatabase = await TestDatabase.CreateAsync(migrate: false, namePrefix: "lode_bench_");
        await using var offDatabase = await TestDatabase.CreateAsync(migrate: false, namePrefix: "lode_bench_");
        await using var groupCommit = await StartAppAsync(onDatabase, groupCommit: true);
        await using var perRequest = await StartAppAsync(offDatabase, groupCommit: false);
        var apps = new[] { ("group commit (on)", groupCommit), ("one transaction per request (off)", perRequest) };

        foreach (var (_, app) in apps) await PassAsync(app, "warmup", 8, 400); // JIT, connection pools
        var results = apps.ToDictionary(a => a.Item1, _ => callers.ToDictionary(c => c, _ => new List<LoadResult>()));
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var senders in callers)
            {
                var order = round % 2 == 1 ? apps : apps.Reverse().ToArray();
                foreach (var (name, app) in order)
                {
                    var result = await PassAsync(app, $"r{round}c{senders}", senders, events);
                    results[name][senders].Add(result);
                    Console.Error.WriteLine($"round {round}, {senders} senders, {name}: {result.PerSecond:F0} events/s");
                }
            }
        }

        var writer = groupCommit.Services.GetRequiredService<GroupCommitWriter>();
        var acknowledged = await onDatabase.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs");
        Console.WriteLine($"Webhook intake, {events} one-record events per pass, best of {rounds} round(s); {Machine.Description()}");
        Console.WriteLine($"Group commit: {acknowledged} jobs in {writer.Commits} transactions ({(double)acknowledged / writer.Commits:F1} per commit).\n");
        Console.WriteLine("| senders | mode | events/s | p50 ms | p95 ms | events/s on ÷ off |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|");
        foreach (var senders in callers)
        {
            var on = results[apps[0].Item1][senders].MaxBy(r => r.PerSecond)!;
            var off = results[apps[1].Item1][senders].MaxBy(r => r.PerSecond)!;
            Console.WriteLine($"| {senders} | {apps[0].Item1} | {on.PerSecond:F0} | {on.P50:F1} | {on.P95:F1} | {on.PerSecond / off.PerSecond:F2} |");
            Console.WriteLine($"| {senders} | {apps[1].Item1} | {off.PerSecond:F0} | {off.P50:F1} | {off.P95:F1} | |");
        }
        return 0;
    }

    private static async Task<LoadResult> PassAsync(StandaloneApp app, string pass, int senders, int events)
    {
        return await ConcurrentLoad.RunAsync(senders, events, async i =>
        {
            var status = await MinioNotification.SendAsync(app.Client, MinioNotification.Body(Bucket, $"{pass}/object {i:D6}.pdf"), StandaloneApp.FixtureWebhookToken);
            if (status != HttpStatusCode.OK) throw new InvalidOperationException($"The webhook answered {(int)status}.");
        });
    }

    private static Task<StandaloneApp> StartAppAsync(TestDatabase database, bool groupCommit) => StandaloneApp.StartAsync([
        $"--Database:ConnectionString={database.ConnectionString}",
        .. StandaloneApp.UnusedStoreArgs,
        $"--Webhook:Token={StandaloneApp.FixtureWebhookToken}",
        "--Ingestion:WorkerEnabled=false",
        $"--Ingestion:Intake:GroupCommit={groupCommit}",
    ]);

    private static int Option(string[] args, string name, int fallback) =>
        OptionText(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? OptionText(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
