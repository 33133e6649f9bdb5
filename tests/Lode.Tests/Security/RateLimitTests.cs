using System.Net;
using System.Net.Http.Headers;
using Lode.Tests.Hosting;

namespace Lode.Tests.Security;

/// <summary>Per-caller token buckets and the per-address limit on failed authentication, over real HTTP.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task A_caller_past_its_burst_gets_429_with_retry_after_while_another_caller_still_gets_200()
    {
        // One permit a minute: the bucket cannot refill during the test.
        await using var app = await StandaloneApp.StartAsync([
            "--Security:RateLimit:PermitsPerMinute=1",
            "--Security:RateLimit:Burst=3",
        ]);

        for (var i = 0; i < 3; i++)
        {
            using var allowed = await GetAsync(app, StandaloneApp.FixtureApiKey);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }
        using var limited = await GetAsync(app, StandaloneApp.FixtureApiKey);
        using var other = await GetAsync(app, StandaloneApp.FixtureAdminApiKey);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("rate_limited", (await StandaloneHttpTests.ErrorOf(limited)).Code);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 60);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task An_address_that_failed_too_often_gets_429_even_with_valid_credentials()
    {
        await using var app = await StandaloneApp.StartAsync(["--Security:RateLimit:FailedAuthPerMinute=2"]);

        using var first = await GetAsync(app, "wrong-key-one-0123456789");
        using var second = await GetAsync(app, "wrong-key-two-0123456789");
        using var third = await GetAsync(app, "wrong-key-three-0123456789");
        using var valid = await GetAsync(app, StandaloneApp.FixtureApiKey);

        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal("rate_limited", (await StandaloneHttpTests.ErrorOf(third)).Code);
        Assert.NotNull(third.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.TooManyRequests, valid.StatusCode);
    }

    [Fact]
    public async Task Successful_requests_do_not_count_as_failures()
    {
        await using var app = await StandaloneApp.StartAsync(["--Security:RateLimit:FailedAuthPerMinute=1"]);

        for (var i = 0; i < 5; i++)
        {
            using var allowed = await GetAsync(app, StandaloneApp.FixtureApiKey);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }
        using var failed = await GetAsync(app, "wrong-key-0123456789");

        Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_a_client_that_failed_too_often_is_locked_out_and_another_client_is_not()
    {
        // The test's loopback address plays the reverse proxy; the clients are told apart by X-Forwarded-For.
        await using var app = await StandaloneApp.StartAsync([
            "--Security:RateLimit:FailedAuthPerMinute=2",
            "--Security:ForwardedHeaders:KnownProxies:0=127.0.0.1",
        ]);

        using var first = await GetAsync(app, "wrong-key-one-0123456789", Guesser);
        using var second = await GetAsync(app, "wrong-key-two-0123456789", Guesser);
        using var locked = await GetAsync(app, StandaloneApp.FixtureApiKey, Guesser);
        using var otherFails = await GetAsync(app, "wrong-key-three-0123456789", Bystander);
        using var otherSucceeds = await GetAsync(app, StandaloneApp.FixtureApiKey, Bystander);

        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherFails.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherSucceeds.StatusCode);
    }

    [Fact]
    public async Task The_forwarded_address_of_an_untrusted_peer_is_ignored()
    {
        // No trusted proxy: a guesser cannot escape its count by inventing a new X-Forwarded-For for each attempt.
        await using var app = await StandaloneApp.StartAsync(["--Security:RateLimit:FailedAuthPerMinute=2"]);

        using var first = await GetAsync(app, "wrong-key-one-0123456789", Guesser);
        using var second = await GetAsync(app, "wrong-key-two-0123456789", "203.0.113.1");
        using var third = await GetAsync(app, "wrong-key-three-0123456789", Bystander);

        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
    }

    [Fact]
    public async Task A_trusted_proxy_that_is_not_an_address_stops_the_app_at_start_up()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            StandaloneApp.StartAsync(["--Security:ForwardedHeaders:KnownNetworks:0=10.0.0.0/33"]));

        Assert.Contains("Security:ForwardedHeaders:KnownNetworks:0", error.Message, StringComparison.Ordinal);
    }

    private const string Guesser = "198.51.100.7";
    private const string Bystander = "198.51.100.8";

    private static async Task<HttpResponseMessage> GetAsync(StandaloneApp app, string key, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/documents");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await app.Client.SendAsync(request);
    }
}
