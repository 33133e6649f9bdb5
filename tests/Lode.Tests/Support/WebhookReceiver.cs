using System.Net;
using System.Text;

namespace Lode.Tests.Support;

/// <summary>One HTTP request the <see cref="WebhookReceiver"/> got.</summary>
public sealed record ReceivedWebhook(string Method, string Path, string? Authorization, string? ContentType, string Body);

/// <summary>
/// A loopback HTTP endpoint that records every request and answers 200, standing in for the function app as the
/// target of the S3 server's MinIO-shaped webhooks.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly List<ReceivedWebhook> _received = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WebhookReceiver()
    {
        _server = LoopbackHttpServer.Start(RecordAsync);
        Url = $"{_server.BaseUrl}/api/minio/events";
    }

    /// <summary>Where to POST: http://127.0.0.1:PORT/api/minio/events (any path is accepted).</summary>
    public string Url { get; }

    public IReadOnlyList<ReceivedWebhook> Received
    {
        get { lock (_received) return [.. _received]; }
    }

    public static WebhookReceiver Start() => new();

    /// <summary>Waits for the first request (received so far or later) that matches.</summary>
    public async Task<ReceivedWebhook> WaitForAsync(Func<ReceivedWebhook, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_received)
            {
                var found = _received.FirstOrDefault(match);
                if (found is not null) return found;
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException(
                    $"No matching webhook within {timeout.TotalSeconds:0} s; received {Received.Count}:\n" +
                    string.Join("\n", Received.Select(r => r.Body)));
            }
        }
    }

    private async Task RecordAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync().ConfigureAwait(false);
        var received = new ReceivedWebhook(context.Request.HttpMethod, context.Request.Url?.AbsolutePath ?? "",
            context.Request.Headers["Authorization"], context.Request.ContentType, body);
        lock (_received)
        {
            _received.Add(received);
            _changed.TrySetResult();
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        context.Response.StatusCode = 200;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
