using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Lode.Tests.Support;

namespace Lode.Tests.Cli;

/// <summary>One request the <see cref="RefusingApiServer"/> refused.</summary>
public sealed record RefusedRequest(string Method, string Path, string? Authorization);

/// <summary>
/// Stands in, on loopback, for a Lode app that refuses everything: each request gets the same status, the
/// <c>Retry-After</c> header when one is given, and the same body (the API's error shape from <see cref="ApiError"/>,
/// or whatever a proxy in front of the app would send). Every request is recorded.
/// </summary>
public sealed class RefusingApiServer : IAsyncDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly int _status;
    private readonly string? _retryAfter;
    private readonly string _body;
    private readonly string _contentType;

    /// <param name="retryAfter">The Retry-After header as sent (seconds, or an HTTP date); none when null.</param>
    public RefusingApiServer(int status, string? retryAfter, string body, string contentType = "application/json")
    {
        _status = status;
        _retryAfter = retryAfter;
        _body = body;
        _contentType = contentType;
        _server = LoopbackHttpServer.Start(RefuseAsync);
    }

    /// <summary>The API's error body: <c>{"error":{"code":"...","message":"..."}}</c>.</summary>
    public static string ApiError(string code, string message) =>
        JsonSerializer.Serialize(new { error = new { code, message } });

    /// <summary>The address to give the command (<c>--url</c>).</summary>
    public string Url => _server.BaseUrl;

    public ConcurrentQueue<RefusedRequest> Requests { get; } = new();

    private async Task RefuseAsync(HttpListenerContext context)
    {
        Requests.Enqueue(new RefusedRequest(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.Headers["Authorization"]));
        context.Response.StatusCode = _status;
        if (_retryAfter is not null) context.Response.AddHeader("Retry-After", _retryAfter);
        await LoopbackHttpServer.WriteAsync(context.Response, _body, _contentType);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
