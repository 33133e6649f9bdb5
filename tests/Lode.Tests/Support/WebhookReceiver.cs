using System.Net;
using System.Net.Sockets;
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
    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly List<ReceivedWebhook> _received = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WebhookReceiver(HttpListener listener, int port)
    {
        _listener = listener;
        Url = $"http://127.0.0.1:{port}/api/minio/events";
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>Where to POST: http://127.0.0.1:PORT/api/minio/events (any path is accepted).</summary>
    public string Url { get; }

    public IReadOnlyList<ReceivedWebhook> Received
    {
        get { lock (_received) return [.. _received]; }
    }

    public static WebhookReceiver Start()
    {
        // HttpListener cannot bind port 0: take a free port from the OS and retry if someone beats us to it.
        for (var attempt = 1; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new WebhookReceiver(listener, port);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

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

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
            {
                var body = await reader.ReadToEndAsync().ConfigureAwait(false);
                var received = new ReceivedWebhook(context.Request.HttpMethod, context.Request.Url?.AbsolutePath ?? "",
                    context.Request.Headers["Authorization"], context.Request.ContentType, body);
                lock (_received)
                {
                    _received.Add(received);
                    _changed.TrySetResult();
                    _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.ConfigureAwait(false);
    }
}
