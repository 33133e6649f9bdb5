using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Lode.Database;
using Lode.Ingestion.Events;
using Lode.Ingestion.Queue;
using Lode.Tests.Hosting;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Benchmarks;

/// <summary>
/// Webhook intake: MinIO-shaped notifications (one record per request, as MinIO sends them) to POST api/minio/events
/// of the real app on Kestrel over a fresh database, from concurrent senders; each sender sends its next event when the
/// previous one was answered. Several apps in one run — group commit with each gather wait of <c>--gathers</c> (0: the
/// writer commits whatever is queued at once) and off (one transaction per request, as before) — alternating which goes
/// first from round to round, plus the sender's own ceiling: the same requests with
/// a wrong token, which the app refuses before reading the body. Every event names its own object, so each 2xx is one
/// committed job; the worker is off, so nothing else competes for the CPU or the database. Each pass also reports the
/// CPU its processes used per event and where the group-commit app spent a request's time (<see cref="IntakeProfile"/>).
/// </summary>
internal static class IntakeBenchmark
{
    private const string Bucket = "docs";
    private const string Off = "one transaction per request (off)";
    private const string Refused = "refused at once (wrong token)";

    private sealed record Pass(LoadResult Load, double OwnCpuMsPerEvent, double OtherCores, IntakeProfile.Breakdown Profile);

    private sealed record Mode(string Name, IntakeApp App, string Token, bool Grouped);

    public static async Task<int> RunAsync(string[] args)
    {
        var events = Option(args, "--events", 2000);
        var rounds = Option(args, "--rounds", 1);
        var callers = (OptionText(args, "--senders") ?? "1,8,32").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
        // One group-commit app per gather wait; the first is the one the summary line and the refused pass use.
        var gathers = (OptionText(args, "--gathers") ?? "2,1,0").Split(',')
            .Select(g => double.Parse(g, CultureInfo.InvariantCulture)).ToArray();

        List<IntakeApp> apps = [];
        try
        {
            foreach (var gather in gathers) apps.Add(await IntakeApp.StartAsync(groupCommit: true, gather));
            apps.Add(await IntakeApp.StartAsync(groupCommit: false, gatherMs: 0));
            var first = apps[0];
            List<Mode> modes =
            [
                .. apps.Take(gathers.Length).Select(app => new Mode(GroupName(app.GatherMs), app, StandaloneApp.FixtureWebhookToken, Grouped: true)),
                new(Off, apps[^1], StandaloneApp.FixtureWebhookToken, Grouped: false),
                new(Refused, first, "not-the-webhook-token", Grouped: false),
            ];
            return await MeasureAsync(modes, first, events, rounds, callers);
        }
        finally
        {
            foreach (var app in Enumerable.Reverse(apps)) await app.DisposeAsync();
        }
    }

    private static string GroupName(double gatherMs) =>
        (gatherMs == 0 ? "group commit, no gather" : $"group commit, gather {gatherMs.ToString(CultureInfo.InvariantCulture)} ms") +
        (gatherMs == new IntakeOptions().GatherMilliseconds ? " (default)" : "");

    private static async Task<int> MeasureAsync(List<Mode> modes, IntakeApp first, int events, int rounds, int[] callers)
    {
        // JIT and connection pools, at the most senders measured so every pass finds its connections open.
        foreach (var mode in modes) await PassAsync(mode.App.Sender, mode.Token, "warmup", callers.Max(), 400);
        List<int> backends = [];
        foreach (var app in modes.Select(m => m.App).Distinct()) backends.AddRange(await AppServices.DatabaseBackendsAsync(app.Database));

        var results = modes.ToDictionary(m => m.Name, _ => callers.ToDictionary(c => c, _ => new List<Pass>()));
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var senders in callers)
            {
                foreach (var mode in round % 2 == 1 ? modes : Enumerable.Reverse(modes))
                {
                    mode.App.Profile.Reset();
                    var cpu = CpuAccount.Take(backends);
                    var load = await PassAsync(mode.App.Sender, mode.Token, $"r{round}c{senders}", senders, events);
                    var used = CpuAccount.Between(cpu, CpuAccount.Take(backends), load.Seconds);
                    var pass = new Pass(load, used.OwnSeconds * 1000 / events, used.OtherCores, mode.App.Profile.Take());
                    results[mode.Name][senders].Add(pass);
                    Console.Error.WriteLine($"round {round}, {senders} senders, {mode.Name}: {load.PerSecond:F0} events/s");
                }
            }
        }

        var commitFloor = await BareCommitsAsync(first.Database, 200);
        var writer = first.App.Services.GetRequiredService<GroupCommitWriter>();
        var acknowledged = await first.Database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs");
        var off = modes.Single(m => m.Name == Off);
        Console.WriteLine($"Webhook intake, {events} one-record events per pass, best of {rounds} round(s); {Machine.Description()}");
        Console.WriteLine($"Load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"PostgreSQL: {await WalSettingsAsync(first.Database)}.");
        Console.WriteLine($"{modes[0].Name}: {acknowledged} jobs in {writer.Commits} transactions ({(double)acknowledged / writer.Commits:F1} per commit), warmup included.\n");
        Console.WriteLine("CPU ms/event: this process (apps and senders) plus the PostgreSQL backends of the databases. Other load: cores used by");
        Console.WriteLine("everything else on the machine meanwhile.\n");
        // The best pass fills the row; the median of the rounds beside it, because a flush on a shared disk can take twice as
        // long from one minute to the next, and only many rounds separate two settings that differ by less.
        Console.WriteLine("| senders | mode | events/s | median of rounds | p50 ms | p95 ms | ÷ off | ÷ refused | CPU ms/event | other load (cores) |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var senders in callers)
        {
            var best = modes.ToDictionary(m => m.Name, m => results[m.Name][senders].MaxBy(r => r.Load.PerSecond)!);
            foreach (var mode in modes)
            {
                var pass = best[mode.Name];
                var ratios = mode.Name == Refused ? "| | |" : $"| {Ratio(pass, best[off.Name])} | {Ratio(pass, best[Refused])} |";
                var median = Median(results[mode.Name][senders].Select(r => r.Load.PerSecond).ToList());
                Console.WriteLine($"| {senders} | {mode.Name} | {pass.Load.PerSecond:F0} | {median:F0} | {pass.Load.P50:F1} | {pass.Load.P95:F1} {ratios} " +
                    $"{pass.OwnCpuMsPerEvent:F2} | {pass.OtherCores:F2} |");
            }
        }

        Console.WriteLine($"\nBare commit (one job per transaction, one connection, one after another, on this PostgreSQL): p50 {Median(commitFloor):F2} ms, " +
            $"p95 {Percentile(commitFloor, 95):F2} ms. A closed-loop sender has one event in flight, so N senders can do at most N events per");
        Console.WriteLine("(commit + request round trip): the bound with every request of every sender in one commit, nothing else waiting:\n");
        foreach (var senders in callers)
        {
            var roundTrip = results[Refused][senders].MaxBy(r => r.Load.PerSecond)!.Load.P50;
            Console.WriteLine($"- {senders} senders: {senders} / ({Median(commitFloor):F2} + {roundTrip:F2} ms) = {senders * 1000 / (Median(commitFloor) + roundTrip):F0} events/s");
        }

        Console.WriteLine("\nWhere a request's time went (medians, ms; the best pass of each mode). Server: from the first middleware to the");
        Console.WriteLine("response written. Queued: handed to the writer until its transaction began. Outside: the sender's latency minus");
        Console.WriteLine("the server's (Kestrel's connection handling, the client, the loopback, waiting for a thread).\n");
        Console.WriteLine("| senders | mode | latency | outside | server | queued | commit (p95) | requests/commit | commits by requests |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (var senders in callers)
        {
            foreach (var mode in modes)
            {
                var pass = results[mode.Name][senders].MaxBy(r => r.Load.PerSecond)!;
                var profile = pass.Profile;
                var server = Median(profile.ServerMs);
                var group = mode.Grouped
                    ? $"{Median(profile.QueuedMs):F2} | {Median(profile.CommitMs):F2} ({Percentile(profile.CommitMs, 95):F2}) | {profile.MeanRequestsPerCommit:F1} | {profile.Distribution()}"
                    : "| | |";
                Console.WriteLine($"| {senders} | {mode.Name} | {pass.Load.P50:F2} | {pass.Load.P50 - server:F2} | {server:F2} | {group} |");
            }
        }
        return 0;
    }

    // The settings that decide what a commit's flush costs, so a table says which cluster it was measured on.
    private static async Task<string> WalSettingsAsync(TestDatabase database)
    {
        var settings = await database.ScalarAsync<string>("""
            SELECT string_agg(name || ' ' || setting || coalesce(unit, ''), ', ' ORDER BY name) FROM pg_settings
            WHERE name IN ('synchronous_commit', 'wal_sync_method', 'commit_delay', 'commit_siblings', 'full_page_writes', 'fsync')
            """);
        return settings ?? "";
    }

    // The floor under any commit here: one row, one round trip, and the WAL flush (synchronous_commit on).
    private static async Task<List<double>> BareCommitsAsync(TestDatabase database, int commits)
    {
        var queue = new JobQueue(database.DataSource);
        var latencies = new List<double>();
        for (var i = 0; i < commits; i++)
        {
            var clock = Stopwatch.StartNew();
            await queue.EnqueueAsync([new JobRequest(Bucket, $"bare/{i:D6}", "benchmark")], CancellationToken.None);
            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }
        return latencies;
    }

    private static string Ratio(Pass pass, Pass baseline) => $"{pass.Load.PerSecond / baseline.Load.PerSecond:F2}";

    private static double Median(List<double> values) => Percentile(values, 50);

    private static double Percentile(List<double> values, int percentile) =>
        values.Count == 0 ? double.NaN : ChatOverheadBenchmark.Percentile(values, percentile);

    private static async Task<LoadResult> PassAsync(HttpClient sender, string token, string pass, int senders, int events)
    {
        // Bodies are made before the clock starts: the pass measures the app, not the sender's JSON.
        var bodies = Enumerable.Range(0, events)
            .Select(i => Encoding.UTF8.GetBytes(MinioNotification.Body(Bucket, $"{pass}/object {i:D6}.pdf"))).ToArray();
        var expected = token == StandaloneApp.FixtureWebhookToken ? HttpStatusCode.OK : HttpStatusCode.Unauthorized;
        return await ConcurrentLoad.RunAsync(senders, events, async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/minio/events") { Content = new ByteArrayContent(bodies[i]) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await sender.SendAsync(request);
            if (response.StatusCode != expected) throw new InvalidOperationException($"The webhook answered {(int)response.StatusCode}.");
        });
    }

    private static int Option(string[] args, string name, int fallback) =>
        OptionText(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? OptionText(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
