using System.Net.Http.Headers;
using Lode.Audit;
using Lode.Tests.Hosting;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Tests.Audit;

/// <summary>
/// The standalone app (no store) over a database of its own, logging at Information, with a caller and an admin. Its
/// connection asks PostgreSQL for error detail, which carries a failing row's values: tests then show that no
/// question text reaches the logs even so.
/// </summary>
public sealed class AuditedApp : IAsyncDisposable
{
    public const string Caller = "asker";
    public const string Key = "audit-asker-key-0123456789";
    public const string AdminKey = "audit-admin-key-0123456789";

    private AuditedApp(StandaloneApp app, TestDatabase database)
    {
        App = app;
        Database = database;
        Api = new HttpClient { BaseAddress = app.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
    }

    public StandaloneApp App { get; }
    public TestDatabase Database { get; }

    /// <summary>Sends <see cref="Key"/> (caller <see cref="Caller"/>, group staff).</summary>
    public HttpClient Api { get; }

    public static async Task<AuditedApp> StartAsync(Action<IServiceCollection>? overrides, params string[] settings)
    {
        var database = await TestDatabase.CreateAsync(migrate: false);
        try
        {
            var app = await StandaloneApp.StartAsync(
            [
                $"--Database:ConnectionString={database.ConnectionString};Include Error Detail=true",
                .. StandaloneApp.UnusedStoreArgs,
                .. TestReaders.ApiKeyArgs(Caller, Key, TestReaders.Group),
                .. TestReaders.ApiKeyArgs("auditor", AdminKey, "lode-admins"),
                "--Logging:LogLevel:Default=Information",
                .. settings,
            ], overrides);
            return new AuditedApp(app, database);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>The rows <see cref="Caller"/>'s questions left, newest first.</summary>
    public Task<IReadOnlyList<AuditEvent>> RowsAsync() =>
        App.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(Caller: Caller), null, 100, default);

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await App.DisposeAsync();
        await Database.DisposeAsync();
    }
}
