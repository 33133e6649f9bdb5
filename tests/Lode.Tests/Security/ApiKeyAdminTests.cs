using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Lode.Identity;
using Lode.Tests.Hosting;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Lode.Tests.Security;

/// <summary>API keys created, used, listed and revoked through the admin API, over real HTTP and PostgreSQL.</summary>
public sealed class ApiKeyAdminTests(StandaloneAppFixture fixture) : IClassFixture<StandaloneAppFixture>
{
    private StandaloneApp App => fixture.App;

    [Fact]
    public async Task A_created_key_works_until_it_is_revoked_and_its_secret_is_shown_only_once()
    {
        using var created = await SendAsync(HttpMethod.Post, "api/admin/keys", StandaloneApp.FixtureAdminApiKey,
            new { name = "  reporting robot ", groups = new[] { "staff", " finance", "staff" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.True(created.Headers.CacheControl?.NoStore);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetGuid();
        var key = body.GetProperty("key").GetString()!;
        Assert.StartsWith(ApiKeyGenerator.Prefix, key);
        Assert.Equal("reporting robot", body.GetProperty("name").GetString());
        Assert.Equal(["finance", "staff"], body.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
        Assert.Equal(JsonValueKind.Null, body.GetProperty("expiresAt").ValueKind);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(key));

        // The list shows the key without its secret or its hash; the database holds only the hash.
        using var list = await SendAsync(HttpMethod.Get, "api/admin/keys", StandaloneApp.FixtureAdminApiKey);
        var listed = await list.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.DoesNotContain(key, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKeyHash.HexOf(key), listed, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Convert.ToBase64String(ApiKeyHash.Of(key)), listed, StringComparison.Ordinal);
        var entry = KeysIn(listed).Single(k => k.GetProperty("id").GetGuid() == id);
        Assert.False(entry.TryGetProperty("key", out _));
        Assert.Equal("fixture-admin", entry.GetProperty("createdBy").GetString());
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("revokedAt").ValueKind);
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM api_keys WHERE id = $1 AND key_hash = $2", id, ApiKeyHash.Of(key)));

        using var revoked = await SendAsync(HttpMethod.Delete, $"api/admin/keys/{id}", StandaloneApp.FixtureAdminApiKey);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(key));

        using var after = await SendAsync(HttpMethod.Get, "api/admin/keys", StandaloneApp.FixtureAdminApiKey);
        var revokedEntry = KeysIn(await after.Content.ReadAsStringAsync()).Single(k => k.GetProperty("id").GetGuid() == id);
        Assert.Equal(JsonValueKind.String, revokedEntry.GetProperty("revokedAt").ValueKind);

        using var again = await SendAsync(HttpMethod.Delete, $"api/admin/keys/{id}", StandaloneApp.FixtureAdminApiKey);
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
    }

    [Fact]
    public async Task Revoking_an_unknown_key_is_404()
    {
        using var response = await SendAsync(HttpMethod.Delete, $"api/admin/keys/{Guid.NewGuid()}", StandaloneApp.FixtureAdminApiKey);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("api_key_not_found", (await StandaloneHttpTests.ErrorOf(response)).Code);
    }

    [Fact]
    public async Task A_stored_key_is_refused_once_it_has_expired()
    {
        var (id, key) = await CreateAsync(new { name = "temporary", groups = new[] { "staff" }, expiresAt = DateTimeOffset.UtcNow.AddHours(1) });
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(key));

        await ScalarAsync<int>("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1 RETURNING 1", id);

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(key));
    }

    [Fact]
    public async Task A_key_given_the_admin_group_may_use_the_admin_endpoints()
    {
        var (_, key) = await CreateAsync(new { name = "second admin", groups = new[] { "lode-admins" } });

        using var response = await SendAsync(HttpMethod.Get, "api/admin/keys", key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Callers_outside_the_admin_group_get_403_and_callers_without_credentials_401()
    {
        foreach (var (method, path) in AdminRoutes())
        {
            using var member = await SendAsync(method, path, StandaloneApp.FixtureApiKey, new { name = "x", groups = new[] { "staff" } });
            using var nobody = await SendAsync(method, path, key: null, new { name = "x", groups = new[] { "staff" } });

            Assert.Equal(HttpStatusCode.Forbidden, member.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, nobody.StatusCode);
        }
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM api_keys WHERE name = 'x'"));
    }

    public static TheoryData<string, string> InvalidRequests() => new()
    {
        { """{"groups":["staff"]}""", "name" },
        { """{"name":"   ","groups":["staff"]}""", "name" },
        { $$"""{"name":"{{new string('n', 101)}}","groups":["staff"]}""", "100 characters" },
        { """{"name":"line\nbreak","groups":["staff"]}""", "control characters" },
        { """{"name":"robot"}""", "groups" },
        { """{"name":"robot","groups":[]}""", "groups" },
        { """{"name":"robot","groups":["staff","  "]}""", "groups" },
        { $$"""{"name":"robot","groups":["{{new string('g', 257)}}"]}""", "256 characters" },
        { """{"name":"robot","groups":["staff"],"expiresAt":"2020-01-01T00:00:00Z"}""", "expiresAt" },
        { """{"name":"robot","groups":["staff"],"expiresAt":"next tuesday"}""", "JSON" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task An_invalid_request_is_400_naming_the_problem(string json, string mentioned)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/admin/keys")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", StandaloneApp.FixtureAdminApiKey);
        using var response = await App.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (_, message) = await StandaloneHttpTests.ErrorOf(response);
        Assert.Contains(mentioned, message, StringComparison.Ordinal);
    }

    private static IEnumerable<(HttpMethod Method, string Path)> AdminRoutes() =>
    [
        (HttpMethod.Post, "api/admin/keys"),
        (HttpMethod.Get, "api/admin/keys"),
        (HttpMethod.Delete, $"api/admin/keys/{Guid.NewGuid()}"),
    ];

    private static List<JsonElement> KeysIn(string listed) =>
        JsonDocument.Parse(listed).RootElement.GetProperty("keys").EnumerateArray().ToList();

    private async Task<(Guid Id, string Key)> CreateAsync(object body)
    {
        using var response = await SendAsync(HttpMethod.Post, "api/admin/keys", StandaloneApp.FixtureAdminApiKey, body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (created.GetProperty("id").GetGuid(), created.GetProperty("key").GetString()!);
    }

    private async Task<HttpStatusCode> StatusAsync(string key)
    {
        using var response = await SendAsync(HttpMethod.Get, "api/documents", key);
        return response.StatusCode;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null && method != HttpMethod.Get && method != HttpMethod.Delete) request.Content = JsonContent.Create(body);
        return await App.Client.SendAsync(request);
    }

    private async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var command = App.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        foreach (var p in parameters) command.Parameters.Add(new() { Value = p });
        return (T)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>Keys from configuration keep working beside database keys, and expire the same way.</summary>
public sealed class ConfiguredApiKeyExpiryTests
{
    [Fact]
    public async Task A_configured_key_past_its_expiry_is_refused_while_a_current_one_works()
    {
        const string lapsed = "lapsed-config-key-0123456789";
        await using var app = await StandaloneApp.StartAsync([
            .. TestReaders.ApiKeyArgs("lapsed", lapsed, TestReaders.Group),
            "--Security:ApiKeys:lapsed:ExpiresAt=2020-01-01T00:00:00Z",
        ]);

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(app, lapsed));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, StandaloneApp.FixtureApiKey));
    }

    private static async Task<HttpStatusCode> StatusAsync(StandaloneApp app, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/documents");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await app.Client.SendAsync(request);
        return response.StatusCode;
    }
}
