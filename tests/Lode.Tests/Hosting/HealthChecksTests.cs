using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Lode.Functions.HealthChecks;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lode.Tests.Hosting;

/// <summary>GET api/health reports whatever checks the shared registration adds (the seam for database, store, ...).</summary>
public sealed class HealthChecksTests
{
    [Fact]
    public async Task Unhealthy_check_makes_health_503_and_names_the_check_to_an_admin()
    {
        await using var app = await StandaloneApp.StartAsync(overrides: services => services.AddHealthChecks()
            .AddCheck("test-ok", () => HealthCheckResult.Healthy())
            .AddCheck("test-unhealthy", () => HealthCheckResult.Unhealthy("bucket unreachable")));

        using var response = await app.Client.SendAsync(HealthRequest(StandaloneApp.FixtureAdminApiKey));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unhealthy", body.RootElement.GetProperty("status").GetString());
        var checks = body.RootElement.GetProperty("checks");
        Assert.Equal("ok", checks.GetProperty("test-ok").GetProperty("status").GetString());
        Assert.Equal("unhealthy", checks.GetProperty("test-unhealthy").GetProperty("status").GetString());
        Assert.Equal("bucket unreachable", checks.GetProperty("test-unhealthy").GetProperty("description").GetString());
    }

    [Fact]
    public async Task Degraded_check_keeps_health_200()
    {
        await using var app = await StandaloneApp.StartAsync(overrides: services => services.AddHealthChecks()
            .AddCheck("test-degraded", () => HealthCheckResult.Degraded("extractive fallback")));

        using var response = await app.Client.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("degraded", body.RootElement.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData(StandaloneApp.FixtureApiKey)]
    [InlineData("not-a-key-0123456789abcdef")]
    public async Task Anyone_but_an_admin_gets_the_status_only_without_descriptions_or_counts(string? apiKey)
    {
        await using var app = await StandaloneApp.StartAsync(overrides: services => services.AddHealthChecks()
            .AddCheck("test-llm", () => HealthCheckResult.Unhealthy("model load failed: /models/secret-path.gguf",
                data: new Dictionary<string, object> { ["queuedJobs"] = 42 })));

        using var response = await app.Client.SendAsync(HealthRequest(apiKey));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        using var body = JsonDocument.Parse(text);
        Assert.Equal("unhealthy", body.RootElement.GetProperty("status").GetString());
        Assert.False(body.RootElement.TryGetProperty("checks", out _));
        Assert.DoesNotContain("secret-path", text);
        Assert.DoesNotContain("42", text);
    }

    [Fact]
    public async Task Health_checks_run_once_for_a_burst_of_callers_and_again_once_the_report_is_old()
    {
        var runs = 0;
        var services = new ServiceCollection().AddLogging();
        services.AddHealthChecks().AddCheck("test-counted", () =>
        {
            Interlocked.Increment(ref runs);
            return HealthCheckResult.Healthy();
        });
        await using var provider = services.BuildServiceProvider();
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var shared = new SharedHealthReport(provider.GetRequiredService<HealthCheckService>(), clock);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => shared.GetAsync(CancellationToken.None)));
        Assert.Equal(1, Volatile.Read(ref runs));

        clock.Advance(SharedHealthReport.MaxAge - TimeSpan.FromMilliseconds(1));
        await shared.GetAsync(CancellationToken.None);
        Assert.Equal(1, Volatile.Read(ref runs));

        clock.Advance(TimeSpan.FromMilliseconds(1));
        var fresh = await shared.GetAsync(CancellationToken.None);
        Assert.Equal(2, Volatile.Read(ref runs));
        Assert.Equal(HealthStatus.Healthy, fresh.Status);
    }

    private static HttpRequestMessage HealthRequest(string? apiKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        if (apiKey is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return request;
    }
}
