using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lode.Tests.Hosting;

/// <summary>GET api/health reports whatever checks the shared registration adds (the seam for database, store, ...).</summary>
public sealed class HealthChecksTests
{
    [Fact]
    public async Task Unhealthy_check_makes_health_503_and_names_the_check()
    {
        await using var app = await StandaloneApp.StartAsync(overrides: services => services.AddHealthChecks()
            .AddCheck("test-ok", () => HealthCheckResult.Healthy())
            .AddCheck("test-unhealthy", () => HealthCheckResult.Unhealthy("bucket unreachable")));

        using var response = await app.Client.GetAsync("/api/health");

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
}
