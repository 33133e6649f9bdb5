using System.Diagnostics.Metrics;
using System.Globalization;
using Lode.Tests.Hosting;
using Lode.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Benchmarks;

/// <summary>
/// One app of the intake benchmark: the real app on Kestrel over its own fresh database (on the server LODE_TEST_PG
/// names, so a run can target a cluster with given WAL settings), with the worker off, its intake settings, a profile of
/// where its requests' time goes, and a sender client with one kept-alive connection per sender.
/// </summary>
internal sealed class IntakeApp : IAsyncDisposable
{
    private IntakeApp(TestDatabase database, IntakeProfile profile, StandaloneApp app, double gatherMs)
    {
        Database = database;
        Profile = profile;
        App = app;
        GatherMs = gatherMs;
        Sender = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
        })
        {
            BaseAddress = app.Client.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public TestDatabase Database { get; }

    public IntakeProfile Profile { get; }

    public StandaloneApp App { get; }

    public double GatherMs { get; }

    public HttpClient Sender { get; }

    public static async Task<IntakeApp> StartAsync(bool groupCommit, double gatherMs)
    {
        var database = await TestDatabase.CreateAsync(migrate: false, namePrefix: "lode_bench_");
        var profile = new IntakeProfile();
        try
        {
            var app = await StandaloneApp.StartAsync([
                $"--Database:ConnectionString={database.ConnectionString}",
                .. StandaloneApp.UnusedStoreArgs,
                $"--Webhook:Token={StandaloneApp.FixtureWebhookToken}",
                "--Ingestion:WorkerEnabled=false",
                $"--Ingestion:Intake:GroupCommit={groupCommit}",
                $"--Ingestion:Intake:GatherMilliseconds={gatherMs.ToString(CultureInfo.InvariantCulture)}",
            ], services => services.AddSingleton<IStartupFilter>(profile.ServerTimer));
            profile.Scope = app.Services.GetRequiredService<IMeterFactory>();
            return new IntakeApp(database, profile, app, gatherMs);
        }
        catch
        {
            profile.Dispose();
            await database.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Sender.Dispose();
        await App.DisposeAsync();
        Profile.Dispose();
        await Database.DisposeAsync();
    }
}
