using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Lode.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Lode.Tests.Security;

/// <summary>
/// The app with OIDC configured by a PEM public key, and documents readable by different groups (rows written
/// straight into its database: what matters here is who may list them).
/// </summary>
public sealed class OidcAppFixture : IAsyncLifetime
{
    public TestIdentityProvider Provider { get; } = new();

    public StandaloneApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await StandaloneApp.StartAsync([
            $"--Security:Oidc:Issuer={TestIdentityProvider.Issuer}",
            $"--Security:Oidc:Audience={TestIdentityProvider.Audience}",
            $"--Security:Oidc:SigningKeys:0={Provider.Current.PublicKeyPem}",
            // Everything the app and the authentication stack say, so the tests can check that no token is among it.
            "--Logging:LogLevel:Default=Debug",
            "--Logging:LogLevel:Microsoft.AspNetCore=Debug",
        ]);
        var database = App.Services.GetRequiredService<NpgsqlDataSource>();
        await using var insert = database.CreateCommand("""
            INSERT INTO documents (bucket, key, status, read_groups) VALUES
                ('docs', 'hr/handbook.md', 'indexed', '{hr}'),
                ('docs', 'finance/budget.xlsx', 'indexed', '{finance}'),
                ('docs', 'shared/canteen.md', 'indexed', '{finance,hr}')
            """);
        await insert.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        Provider.Dispose();
    }
}

/// <summary>Bearer tokens from the identity provider: who they name, what their groups may read, which are refused.</summary>
public sealed class OidcTokenTests(OidcAppFixture fixture) : IClassFixture<OidcAppFixture>
{
    private TestIdentityProvider Provider => fixture.Provider;

    [Fact]
    public async Task A_valid_token_is_accepted_and_its_groups_decide_which_documents_are_listed()
    {
        var hr = await DocumentKeysAsync(Provider.UserToken("alice", "hr"));
        var finance = await DocumentKeysAsync(Provider.UserToken("bob", "finance"));

        Assert.Equal(["hr/handbook.md", "shared/canteen.md"], hr);
        Assert.Equal(["finance/budget.xlsx", "shared/canteen.md"], finance);
    }

    [Fact]
    public async Task A_groups_claim_holding_a_single_string_counts_as_one_group()
    {
        var token = Provider.Token(new Dictionary<string, object> { ["sub"] = "id-carol", ["groups"] = "finance" });

        Assert.Equal(["finance/budget.xlsx", "shared/canteen.md"], await DocumentKeysAsync(token));
    }

    [Fact]
    public async Task A_token_without_groups_is_accepted_and_reads_nothing()
    {
        var token = Provider.Token(new Dictionary<string, object> { ["sub"] = "id-dave", ["preferred_username"] = "dave" });

        Assert.Empty(await DocumentKeysAsync(token));
    }

    [Fact]
    public async Task The_caller_is_named_by_preferred_username_or_else_by_sub()
    {
        var named = Provider.UserToken("erin", "lode-admins");
        var unnamed = Provider.Token(new Dictionary<string, object> { ["sub"] = "id-frank", ["groups"] = new[] { "lode-admins" } });

        var byName = await CreateKeyAsync(named, "made-by-erin");
        var bySub = await CreateKeyAsync(unnamed, "made-by-frank");

        using var list = await SendAsync(HttpMethod.Get, "api/admin/keys", named);
        var keys = (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal("erin", keys.Single(k => k.GetProperty("id").GetGuid() == byName).GetProperty("createdBy").GetString());
        Assert.Equal("id-frank", keys.Single(k => k.GetProperty("id").GetGuid() == bySub).GetProperty("createdBy").GetString());
    }

    [Fact]
    public async Task A_token_outside_the_admin_group_gets_403_on_admin_endpoints()
    {
        using var response = await SendAsync(HttpMethod.Get, "api/admin/keys", Provider.UserToken("grace", "hr"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task API_keys_still_work_when_tokens_are_accepted_and_never_reach_the_token_handler()
    {
        var bearerEntries = BearerLogCount();
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/documents");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", StandaloneApp.FixtureApiKey);
        using var response = await fixture.App.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The scheme is nobody's default, so no middleware ran it on the key (it logs every attempt at Debug).
        Assert.Equal(bearerEntries, BearerLogCount());
        using var jwtRequest = await SendAsync(HttpMethod.Get, "api/documents", Provider.UserToken("judy", "hr"));
        Assert.True(BearerLogCount() > bearerEntries);
    }

    private int BearerLogCount() => fixture.App.Logs.Entries.Count(e => e.Category.Contains("JwtBearer", StringComparison.Ordinal));

    public static TheoryData<string> RefusedTokens() =>
    [
        "malformed",
        "expired",
        "wrong-issuer",
        "wrong-audience",
        "wrong-signing-key",
        "alg-none",
        "no-expiry",
    ];

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task A_token_that_fails_validation_is_401_without_saying_why(string kind)
    {
        using var stranger = new TestIdentityProvider();
        var token = kind switch
        {
            "malformed" => "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2lnbmF0dXJl",
            "expired" => Provider.Token(Claims("henry"), expires: DateTime.UtcNow.AddMinutes(-10)),
            "wrong-issuer" => Provider.Token(Claims("henry"), issuer: "https://idp.elsewhere/realms/lode"),
            "wrong-audience" => Provider.Token(Claims("henry"), audience: "another-api"),
            "wrong-signing-key" => Provider.Token(Claims("henry"), key: stranger.Current),
            "alg-none" => TestIdentityProvider.UnsignedToken("henry", "hr"),
            "no-expiry" => NoExpiryToken(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        using var response = await SendAsync(HttpMethod.Get, "api/documents", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var (code, message) = await StandaloneHttpTests.ErrorOf(response);
        Assert.Equal("unauthorized", code);
        Assert.DoesNotContain("IDX", message, StringComparison.Ordinal);
        Assert.DoesNotContain("expired", message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("signature", message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("issuer", message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("audience", message, StringComparison.OrdinalIgnoreCase);
        // Operators learn why from the log; the token is not in it.
        Assert.Contains(fixture.App.Logs.Entries, e => e.Message.StartsWith("Refused an identity-provider token", StringComparison.Ordinal));
        Assert.Contains(fixture.App.Logs.Entries, e => e.Category.Contains("JwtBearer", StringComparison.Ordinal));
        AssertNotLogged(token);
    }

    [Fact]
    public async Task Valid_tokens_are_not_logged_either()
    {
        var token = Provider.UserToken("ivan", "hr");

        using var response = await SendAsync(HttpMethod.Get, "api/documents", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertNotLogged(token);
    }

    private static Dictionary<string, object> Claims(string name) =>
        new() { ["sub"] = $"id-{name}", ["preferred_username"] = name, ["groups"] = new[] { "hr" } };

    // The handler that creates tokens adds an expiry unless told not to.
    private string NoExpiryToken() =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = TestIdentityProvider.Issuer,
            Audience = TestIdentityProvider.Audience,
            Claims = Claims("henry"),
            SigningCredentials = new SigningCredentials(
                new RsaSecurityKey(Provider.Current.Rsa) { KeyId = Provider.Current.Id }, SecurityAlgorithms.RsaSha256),
        });

    private void AssertNotLogged(string token)
    {
        // The signature alone is what a log line would need to leak for the token to be replayed.
        var signature = token.Split('.')[2];
        var secret = signature.Length > 0 ? signature : token;
        Assert.NotEmpty(fixture.App.Logs.Entries);
        Assert.DoesNotContain(fixture.App.Logs.Entries, e =>
            e.Message.Contains(secret, StringComparison.Ordinal)
            || (e.Exception?.ToString().Contains(secret, StringComparison.Ordinal) ?? false));
    }

    private async Task<Guid> CreateKeyAsync(string token, string name)
    {
        using var response = await SendAsync(HttpMethod.Post, "api/admin/keys", token, new { name, groups = new[] { "hr" } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task<string[]> DocumentKeysAsync(string token)
    {
        using var response = await SendAsync(HttpMethod.Get, "api/documents", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("key").GetString()!).Order(StringComparer.Ordinal).ToArray();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body);
        return await fixture.App.Client.SendAsync(request);
    }
}
