using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lode.Tests.Support;

/// <summary>
/// A real HTTP server on 127.0.0.1 for tests that stand in for someone else's server (an identity provider, a model
/// server, a webhook target, an app that refuses): every request is handed to <c>handle</c> on a task of its own, and
/// its response is closed (sent) once the handler returns. Disposing stops listening and aborts open connections.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private const int BindAttempts = 5;

    private readonly HttpListener _listener;
    private readonly Func<HttpListenerContext, Task> _handle;
    private readonly Task _loop;

    private LoopbackHttpServer(HttpListener listener, int port, Func<HttpListenerContext, Task> handle)
    {
        _listener = listener;
        _handle = handle;
        Port = port;
        _loop = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    /// <summary>http://127.0.0.1:PORT, without a trailing slash.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public static LoopbackHttpServer Start(Func<HttpListenerContext, Task> handle)
    {
        // HttpListener cannot bind port 0: take a free port from the OS and try again if someone beats us to it.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new LoopbackHttpServer(listener, port, handle);
            }
            catch (HttpListenerException) when (attempt < BindAttempts)
            {
                listener.Close();
            }
        }
    }

    /// <summary>Writes <paramref name="text"/> as the whole body (UTF-8, with its length), JSON unless told otherwise.</summary>
    public static async Task WriteAsync(HttpListenerResponse response, string text, string contentType = "application/json")
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        response.ContentType = contentType;
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
    }

    private async Task AcceptAsync()
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
            // One task a request: a handler that streams (server-sent events) does not hold up the next request.
            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        try
        {
            await _handle(context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or SocketException)
        {
            // The client went away, or the server is being disposed: there is nobody left to answer.
        }
        catch (Exception)
        {
            // A fault in the stand-in itself: the client gets a 500 (when nothing was sent yet), not an empty 200.
            TryAnswerServerError(context.Response);
        }
        finally
        {
            try
            {
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                // Already closed by the handler, or aborted by Dispose.
            }
        }
    }

    private static void TryAnswerServerError(HttpListenerResponse response)
    {
        try
        {
            response.StatusCode = 500;
        }
        catch (InvalidOperationException)
        {
            // Headers already went out: closing the response is all that is left.
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Close alone, never Stop then Close: on Linux the managed listener's second removal of its prefixes looks the
        // endpoint up again and, finding it gone, binds the port anew — failing with "Address already in use" when
        // another test has taken the freed port in between.
        _listener.Close();
        await _loop.ConfigureAwait(false);
    }
}
