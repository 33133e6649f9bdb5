using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Lode.Storage;
using Lode.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Minio;

namespace Lode.Tests.Support;

/// <summary>
/// Everything Lode runs on, for real: a fresh PostgreSQL database, the S3 server (s3rver, SigV4) forwarding its events
/// as MinIO webhooks, and the standalone app on Kestrel with its queue worker. Objects are written with the Minio SDK.
/// </summary>
public sealed class LodeStack : IAsyncDisposable
{
    public const string Bucket = "docs";
    public const string WebhookToken = "test-webhook-token-0123456789";
    public const string ApiKey = "test-api-key-0123456789abcdef";

    /// <summary>A key in the admin group only: it may use admin endpoints but reads no documents.</summary>
    public const string AdminApiKey = "test-admin-key-0123456789abcdef";

    /// <summary>
    /// A key in the admin group and the readers' group: an admin who reads the test documents too. Evaluations
    /// (<c>api/admin/eval</c>) search as their caller, so they need one.
    /// </summary>
    public const string ReaderAdminApiKey = "test-reader-admin-key-0123456789";

    /// <summary>The caller name of <see cref="ReaderAdminApiKey"/> in logs and the audit trail.</summary>
    public const string ReaderAdminName = "reader-admin";

    private LodeStack(TestDatabase database, S3ServerProcess s3, StandaloneApp app, int port)
    {
        Database = database;
        S3 = s3;
        App = app;
        Port = port;
        Api = ClientFor(ApiKey);
        Admin = ClientFor(AdminApiKey);
    }

    public TestDatabase Database { get; }
    public S3ServerProcess S3 { get; }
    public StandaloneApp App { get; private set; }
    public int Port { get; }

    /// <summary>An HttpClient that sends the test API key.</summary>
    public HttpClient Api { get; }

    /// <summary>An HttpClient that sends the admin key: it sees every document's state, whoever may read it.</summary>
    public HttpClient Admin { get; }

    public IObjectStore Store => App.Services.GetRequiredService<IObjectStore>();

    /// <summary>A new HttpClient for the app that sends <paramref name="apiKey"/> (dispose it).</summary>
    public HttpClient ClientFor(string apiKey)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}/"), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <summary>The app's configuration as command-line arguments, shared with tests that start the app out of process.</summary>
    public static string[] AppArguments(TestDatabase database, S3ServerProcess s3, int port, params string[] extra) =>
    [
        "--urls", $"http://127.0.0.1:{port}",
        $"--Database:ConnectionString={database.ConnectionString}",
        $"--Storage:Endpoint={s3.Endpoint}",
        $"--Storage:AccessKey={s3.AccessKey}",
        $"--Storage:SecretKey={s3.SecretKey}",
        $"--Storage:UploadAccessKey={S3ServerProcess.UploadAccessKey}",
        $"--Storage:UploadSecretKey={s3.UploadSecretKey}",
        $"--Webhook:Token={WebhookToken}",
        .. TestReaders.ApiKeyArgs("tests", ApiKey, TestReaders.Group),
        .. TestReaders.ApiKeyArgs("admin", AdminApiKey, "lode-admins"),
        .. TestReaders.ApiKeyArgs(ReaderAdminName, ReaderAdminApiKey, "lode-admins", TestReaders.Group),
        $"--Access:DefaultGroups:0={TestReaders.Group}",
        $"--Ingestion:Buckets:0={Bucket}",
        "--Ingestion:LeaseSeconds=5",
        "--Ingestion:PollSeconds=0.2",
        "--Ingestion:RetryBaseSeconds=0.2",
        "--Ingestion:RetryMaxSeconds=1",
        "--Ingestion:MaxAttempts=3",
        .. extra,
    ];

    public static Task<LodeStack> StartAsync(TestDatabase? database = null, Action<IServiceCollection>? overrides = null,
        params string[] extraArgs) =>
        StartStackAsync(database, overrides, notify: true, extraArgs);

    /// <summary>A stack whose S3 server sends no notifications at all: every change is a missed notification.</summary>
    public static Task<LodeStack> StartWithoutNotificationsAsync(TestDatabase? database = null,
        Action<IServiceCollection>? overrides = null, params string[] extraArgs) =>
        StartStackAsync(database, overrides, notify: false, extraArgs);

    private static async Task<LodeStack> StartStackAsync(TestDatabase? database, Action<IServiceCollection>? overrides, bool notify,
        string[] extraArgs)
    {
        var ownDatabase = database is null;
        database ??= await TestDatabase.CreateAsync(migrate: false);
        S3ServerProcess? s3 = null;
        try
        {
            var port = FreePort.Next();
            var webhook = notify ? $"http://127.0.0.1:{port}/api/minio/events" : "";
            s3 = await S3ServerProcess.StartAsync(webhook, WebhookToken, [Bucket], default);
            var app = await StandaloneApp.StartAsync(AppArguments(database, s3, port, extraArgs), overrides);
            return new LodeStack(database, s3, app, port);
        }
        catch
        {
            // A stack that failed to start leaves nothing behind: no S3 server, and no database it created on the
            // shared test server (each failed start used to leave one).
            if (s3 is not null) await s3.DisposeAsync();
            if (ownDatabase) await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Stops the app and starts it again on the same database, store and port, with <paramref name="extraArgs"/> (and
    /// <paramref name="overrides"/>) instead of the first start's: a restart with new settings, as an operator does it.
    /// <paramref name="whileStopped"/> runs between the stop and the start.
    /// </summary>
    public async Task RestartAppAsync(Action<IServiceCollection>? overrides = null, Func<Task>? whileStopped = null, params string[] extraArgs)
    {
        await App.DisposeAsync();
        if (whileStopped is not null) await whileStopped();
        App = await StandaloneApp.StartAsync(AppArguments(Database, S3, Port, extraArgs), overrides);
    }

    public async Task PutAsync(string key, byte[] content, string contentType = "application/octet-stream",
        IReadOnlyDictionary<string, string>? userMetadata = null)
    {
        using var stream = new MemoryStream(content);
        await Store.PutAsync(Bucket, key, stream, contentType, default, userMetadata);
    }

    /// <summary>Replaces an object's user metadata, keeping its content (see <see cref="ObjectMetadata"/>).</summary>
    public Task ReplaceMetadataAsync(string key, IReadOnlyDictionary<string, string> userMetadata) =>
        ObjectMetadata.ReplaceAsync(App.Services.GetRequiredService<IMinioClient>(), Bucket, key, userMetadata);

    public Task PutFileAsync(string key, string testDataFile, string contentType = "application/octet-stream") =>
        PutAsync(key, File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestData", testDataFile)), contentType);

    public static string DocumentPath(string key) =>
        $"api/documents/{Bucket}/{string.Join('/', key.Split('/').Select(Uri.EscapeDataString))}";

    /// <summary>The document as the API shows it to <paramref name="client"/> (default: the admin, who sees every document's state), or null on 404.</summary>
    public async Task<JsonElement?> GetDocumentAsync(string key, HttpClient? client = null)
    {
        using var response = await (client ?? Admin).GetAsync(DocumentPath(key));
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Polls the API until the document reaches a state <paramref name="done"/> accepts (null: not found).</summary>
    public async Task<JsonElement?> WaitForDocumentAsync(string key, Func<JsonElement?, bool> done, TimeSpan? timeout = null,
        HttpClient? client = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            var document = await GetDocumentAsync(key, client);
            if (done(document)) return document;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Document {key} did not reach the expected state; last: {document}\nS3 output:\n{S3.Output}");
            await Task.Delay(150);
        }
    }

    public Task<JsonElement?> WaitForStatusAsync(string key, string status, TimeSpan? timeout = null, HttpClient? client = null) =>
        WaitForDocumentAsync(key, d => d?.GetProperty("status").GetString() == status, timeout, client);

    /// <summary>Waits until no job is queued or leased: everything notified so far has been looked at.</summary>
    public async Task WaitForQueueEmptyAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (await Database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs") > 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The ingest queue did not drain.");
            await Task.Delay(150);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        Admin.Dispose();
        await App.DisposeAsync();
        await S3.DisposeAsync();
        await Database.DisposeAsync();
    }
}
