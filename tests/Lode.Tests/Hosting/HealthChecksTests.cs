using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
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
    public async Task Health_checks_run_once_for_a_burst_of_callers()
    {
        var runs = 0;
        await using var app = await StandaloneApp.StartAsync(overrides: services => services.AddHealthChecks()
            .AddCheck("test-counted", () =>
            {
                Interlocked.Increment(ref runs);
                return HealthCheckResult.Healthy();
            }));

        // Far fewer than the report's lifetime allows: every one of them is answered from the first report.
        for (var i = 0; i < 20; i++)
        {
            using var response = await app.Client.SendAsync(HealthRequest(null));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Start-up may have run the checks once already (a readiness probe); a burst adds at most one run.
        Assert.InRange(Volatile.Read(ref runs), 1, 2);
    }

    private static HttpRequestMessage HealthRequest(string? apiKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        if (apiKey is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return request;
    }
}
