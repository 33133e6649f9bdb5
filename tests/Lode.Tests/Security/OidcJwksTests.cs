using System.Net;
using System.Net.Http.Headers;
using Lode.Tests.Hosting;

namespace Lode.Tests.Security;

/// <summary>
/// Signing keys fetched from the identity provider (served on loopback): from a key-set address, refreshed when the
/// provider rotates, or found by OpenID discovery, where the key-set address learnt must be on the allowlist too.
/// </summary>
public sealed class OidcJwksTests : IAsyncLifetime
{
    private readonly TestIdentityProvider _provider = new();
    private IdentityProviderServer _server = null!;

    public Task InitializeAsync()
    {
        _server = new IdentityProviderServer(_provider.JwksJson());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _provider.Dispose();
    }

    [Fact]
    public async Task A_token_signed_by_a_published_key_is_accepted_and_one_signed_by_another_is_not()
    {
        await using var app = await StartAsync($"--Security:Oidc:JwksUrl={_server.JwksUrl}");
        using var stranger = new TestIdentityProvider();

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, _provider.UserToken("alice", "hr")));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(app, stranger.UserToken("mallory", "hr")));
        Assert.True(_server.JwksFetches >= 1);
    }

    [Fact]
    public async Task A_key_the_provider_publishes_later_is_fetched_when_a_token_names_it()
    {
        await using var app = await StartAsync($"--Security:Oidc:JwksUrl={_server.JwksUrl}");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, _provider.UserToken("alice", "hr")));
        var fetchesBefore = _server.JwksFetches;

        // The provider rotates: a new key, published alongside the old one, signs the tokens from now on.
        _provider.AddKey();
        _server.Jwks = _provider.JwksJson();
        var token = _provider.UserToken("bob", "hr");

        // The unknown key id makes the app refetch the key set in the background; the token is accepted once it has.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpStatusCode status;
        while ((status = await StatusAsync(app, token)) != HttpStatusCode.OK && DateTime.UtcNow < deadline) await Task.Delay(100);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(_server.JwksFetches > fetchesBefore);
    }

    [Fact]
    public async Task Keys_are_found_through_the_authority_discovery_document()
    {
        await using var app = await StartAsync($"--Security:Oidc:Authority={_server.Authority}");

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, _provider.UserToken("alice", "hr")));
        Assert.Equal(1, _server.DiscoveryFetches);
        Assert.Equal(1, _server.JwksFetches);
    }

    [Fact]
    public async Task A_key_set_address_from_discovery_that_is_off_the_allowlist_is_never_contacted()
    {
        _server.DiscoveredJwksUrl = "https://keys.elsewhere.example/jwks";
        await using var app = await StartAsync($"--Security:Oidc:Authority={_server.Authority}");

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(app, _provider.UserToken("alice", "hr")));
        Assert.True(_server.DiscoveryFetches >= 1);
        Assert.Contains(app.Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning
            && e.Message == "Refused to contact keys.elsewhere.example: it is not on Security:AllowedRemoteHosts");
    }

    private static Task<StandaloneApp> StartAsync(params string[] args) => StandaloneApp.StartAsync([
        $"--Security:Oidc:Issuer={TestIdentityProvider.Issuer}",
        $"--Security:Oidc:Audience={TestIdentityProvider.Audience}",
        "--Security:Oidc:RequireHttpsMetadata=false",
        .. args,
    ]);

    private static async Task<HttpStatusCode> StatusAsync(StandaloneApp app, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/documents");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await app.Client.SendAsync(request);
        return response.StatusCode;
    }
}
