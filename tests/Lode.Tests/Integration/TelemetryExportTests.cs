using System.Net;
using System.Net.Http.Headers;
using Lode.Functions;
using Lode.Tests.Hosting;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Lode.Tests.Integration;

/// <summary>Where telemetry goes, as configured: an OTLP collector, the Prometheus route, the Functions worker.</summary>
public sealed class TelemetryExportTests
{
    private const string ScrapeToken = "export-test-scrape-token-0123";

    [Fact]
    public async Task Traces_metrics_and_logs_reach_an_otlp_http_collector()
    {
        // Any loopback HTTP server that answers 200 will do as a collector: an empty body is a valid OTLP response.
        await using var collector = WebhookReceiver.Start();
        var app = await StandaloneApp.StartAsync([
            $"--Telemetry:OtlpEndpoint={new Uri(collector.Url).GetLeftPart(UriPartial.Authority)}", "--Telemetry:OtlpProtocol=http/protobuf",
            "--Logging:LogLevel:Lode=Information",
        ]);
        await using (app)
        {
            // A caller from elsewhere starting a sampled trace (this process's own HttpClient tracing would decide otherwise).
            using var caller = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = app.Client.BaseAddress };
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/documents");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", StandaloneApp.FixtureApiKey);
            request.Headers.Add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
            using var response = await caller.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }
        // Stopping the app flushed every exporter.

        foreach (var signal in new[] { "/v1/traces", "/v1/metrics", "/v1/logs" })
        {
            var export = await collector.WaitForAsync(r => r.Path == signal, TimeSpan.FromSeconds(30));
            Assert.Equal("POST", export.Method);
            Assert.Equal("application/x-protobuf", export.ContentType);
            Assert.NotEmpty(export.Body);
        }
        // The request's server span is among the exported spans (its name is a plain string in the protobuf).
        Assert.Contains(collector.Received, r => r.Path == "/v1/traces" && r.Body.Contains("GET api/documents", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_prometheus_disabled_the_scrape_route_answers_404_even_with_the_token()
    {
        await using var app = await StandaloneApp.StartAsync(
            [$"--Telemetry:PrometheusToken={ScrapeToken}", "--Telemetry:PrometheusEnabled=false"]);
        using var request = new HttpRequestMessage(HttpMethod.Get, PrometheusMetrics.Route);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ScrapeToken);

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Telemetry:PrometheusEnabled", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_short_scrape_token_stops_start_up()
    {
        var error = await Record.ExceptionAsync(async () => await (await StandaloneApp.StartAsync(["--Telemetry:PrometheusToken=short"])).DisposeAsync());

        Assert.NotNull(error);
        Assert.Contains("Telemetry:PrometheusToken", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_functions_worker_registers_the_same_tracer_and_meter_providers()
    {
        using var worker = LodeApp.BuildFunctionsWorker([
            "--Database:ConnectionString=Host=127.0.0.1;Port=9;Username=unused;Password=unused;Database=unused",
            .. StandaloneApp.UnusedStoreArgs,
        ]);

        Assert.NotNull(worker.Services.GetService<TracerProvider>());
        Assert.NotNull(worker.Services.GetService<MeterProvider>());
    }
}
