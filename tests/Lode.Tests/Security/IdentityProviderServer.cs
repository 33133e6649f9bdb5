using System.Net;
using System.Text.Json;
using Lode.Tests.Support;

namespace Lode.Tests.Security;

/// <summary>
/// An identity provider's HTTP side on loopback: its key set at <see cref="JwksUrl"/> (<see cref="Jwks"/>, which a
/// test may change to rotate keys) and its OpenID discovery document under <see cref="Authority"/>, which names
/// <see cref="DiscoveredJwksUrl"/> as the key set. Every fetch is counted.
/// </summary>
public sealed class IdentityProviderServer : IAsyncDisposable
{
    private readonly LoopbackHttpServer _server;
    private volatile string _jwks;
    private int _jwksFetches;
    private int _discoveryFetches;

    public IdentityProviderServer(string jwks)
    {
        _jwks = jwks;
        _server = LoopbackHttpServer.Start(ServeAsync);
        Authority = _server.BaseUrl;
        JwksUrl = $"{Authority}/jwks";
        DiscoveredJwksUrl = JwksUrl;
    }

    public string Authority { get; }

    public string JwksUrl { get; }

    /// <summary>The <c>jwks_uri</c> the discovery document gives; this server's own key set unless a test says otherwise.</summary>
    public string DiscoveredJwksUrl { get; set; }

    public string Jwks
    {
        get => _jwks;
        set => _jwks = value;
    }

    public int JwksFetches => Volatile.Read(ref _jwksFetches);

    public int DiscoveryFetches => Volatile.Read(ref _discoveryFetches);

    private async Task ServeAsync(HttpListenerContext context)
    {
        var path = context.Request.HttpMethod == "GET" ? context.Request.Url?.AbsolutePath : null;
        string? body = null;
        if (path == "/jwks")
        {
            Interlocked.Increment(ref _jwksFetches);
            body = Jwks;
        }
        else if (path == "/.well-known/openid-configuration")
        {
            Interlocked.Increment(ref _discoveryFetches);
            body = JsonSerializer.Serialize(new { issuer = TestIdentityProvider.Issuer, jwks_uri = DiscoveredJwksUrl });
        }
        if (body is null)
        {
            context.Response.StatusCode = 404;
            return;
        }
        await LoopbackHttpServer.WriteAsync(context.Response, body);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
