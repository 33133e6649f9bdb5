using System.Collections.Concurrent;
using System.Reflection;
using Lode.Functions;
using Lode.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lode.Tests.Hosting;

/// <summary>
/// The real standalone app (Kestrel on a free loopback port, real HttpClient) started in-process. It serves the
/// functions assembly plus this test assembly's test-only functions (<see cref="TestFunctions"/>).
/// </summary>
public sealed class StandaloneApp : IAsyncDisposable
{
    private StandaloneApp(WebApplication app, HttpClient client, CapturedLogs logs, TestDatabase? ownDatabase)
    {
        App = app;
        Client = client;
        Logs = logs;
        _ownDatabase = ownDatabase;
    }

    private readonly TestDatabase? _ownDatabase;

    public const string FixtureApiKey = "fixture-api-key-0123456789";
    public const string FixtureAdminApiKey = "fixture-admin-key-0123456789";
    public const string FixtureWebhookToken = "fixture-webhook-token-0123456789";

    /// <summary>The Teams webhook's security token (base64, as Teams shows it).</summary>
    public const string FixtureTeamsToken = "Zml4dHVyZS10ZWFtcy10b2tlbi0wMTIzNDU2Nzg5YWI=";

    /// <summary>Storage settings for apps that never touch the store: an address nobody listens on.</summary>
    public static readonly string[] UnusedStoreArgs =
        ["--Storage:Endpoint=127.0.0.1:9", "--Storage:AccessKey=unused", "--Storage:SecretKey=unused"];

    public WebApplication App { get; }
    public HttpClient Client { get; }
    public CapturedLogs Logs { get; }
    public IServiceProvider Services => App.Services;

    public static async Task<StandaloneApp> StartAsync(
        IEnumerable<string>? args = null,
        Action<IServiceCollection>? overrides = null,
        IEnumerable<Assembly>? functionAssemblies = null)
    {
        var logs = new CapturedLogs();
        // The app needs a database (migrations run at start-up) and storage settings. Tests that bring none get a
        // fresh database of their own and a store address nobody listens on: hosting tests never touch the store.
        var given = args?.ToList() ?? [];
        TestDatabase? ownDatabase = null;
        if (!given.Any(a => a.StartsWith("--Database:ConnectionString=", StringComparison.Ordinal)))
        {
            ownDatabase = await TestDatabase.CreateAsync(migrate: false);
            given.AddRange([
                $"--Database:ConnectionString={ownDatabase.ConnectionString}",
                .. UnusedStoreArgs,
                // Real credentials exist, so a 401 in a test means "wrong credentials", not "none configured".
                $"--Webhook:Token={FixtureWebhookToken}",
                $"--Teams:SecurityToken={FixtureTeamsToken}",
                .. TestReaders.ApiKeyArgs("fixture", FixtureApiKey, TestReaders.Group),
                .. TestReaders.ApiKeyArgs("fixture-admin", FixtureAdminApiKey, "lode-admins"),
            ]);
        }
        string[] allArgs =
        [
            "--urls", "http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            // The test timers' schedule; far in the future unless a test asks for a fast one.
            "--Tests:FastSchedule=0 0 0 1 1 *",
            // Tests poll and walk every route from one address: limits far above that, unless a test sets its own.
            "--Security:RateLimit:PermitsPerMinute=1000000",
            "--Security:RateLimit:Burst=1000000",
            "--Security:RateLimit:FailedAuthPerMinute=1000000",
            // Reconciliation runs when a test calls it (or sets a schedule), not whenever the clock passes minute 17.
            "--Reconcile:Schedule=0 0 0 1 1 *",
            .. given,
        ];
        var app = LodeApp.BuildStandalone(allArgs, services =>
        {
            services.AddSingleton<TimerProbe>();
            services.AddSingleton<ILoggerProvider>(logs);
            overrides?.Invoke(services);
        }, functionAssemblies ?? [typeof(LodeApp).Assembly, typeof(StandaloneApp).Assembly]);

        try
        {
            await app.StartAsync();
        }
        catch
        {
            // A start that fails (bad settings, model mismatch) must not leave connections or a database behind.
            await app.DisposeAsync();
            if (ownDatabase is not null) await ownDatabase.DisposeAsync();
            throw;
        }
        var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(30) };
        return new StandaloneApp(app, client, logs, ownDatabase);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        if (_ownDatabase is not null) await _ownDatabase.DisposeAsync();
    }
}

/// <summary>Keeps what the app logs so tests can check that a failure was logged (and what was not).</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, string Message, Exception? Exception)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Entries.Enqueue((category, logLevel, formatter(state, exception), exception));
    }
}

/// <summary>Shared app for the HTTP tests; each test class that needs a differently configured app starts its own.</summary>
public sealed class StandaloneAppFixture : IAsyncLifetime
{
    public StandaloneApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await StandaloneApp.StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}
