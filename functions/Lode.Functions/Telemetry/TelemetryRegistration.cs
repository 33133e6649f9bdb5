using System.Diagnostics.Metrics;
using System.Reflection;
using Lode.Chat;
using Lode.Database;
using Lode.Ingestion.Pipeline;
using Lode.Ingestion.Queue;
using Lode.Retrieval;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Lode.Functions.Telemetry;

/// <summary>
/// Traces, metrics and logs for both hosting modes, registered once (from <see cref="LodeServices.AddLode"/>):
/// Lode's own sources and meters (ingestion, retrieval, chat), ASP.NET Core, HttpClient and Npgsql; the Prometheus
/// exporter behind <c>GET metrics</c>; OTLP export of all three signals when a collector is configured.
/// </summary>
public static class TelemetryRegistration
{
    /// <summary>The standard variable that turns OTLP export on when <c>Telemetry:OtlpEndpoint</c> is empty.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Every variable naming a collector address (the general one and the per-signal ones).</summary>
    public static readonly IReadOnlyList<string> OtlpEndpointVariables =
    [
        OtlpEndpointVariable, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
    ];

    /// <summary>Lode's activity sources and meters; each area uses one name for both.</summary>
    public static readonly string[] LodeSources = [IngestTracing.SourceName, RetrievalTelemetry.Name, ChatTelemetry.Name];

    // Latencies from a millisecond-fast search to a many-minute document; the SDK's default buckets are for milliseconds.
    private static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
    private static readonly double[] TokensPerSecondBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

    public static IServiceCollection AddLodeTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        // Read now: which exporters exist is decided at registration. The same section is bound and validated at start-up.
        var settings = configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();

        // Log records written inside a span carry its trace and span ids as a scope (shown by the JSON console with IncludeScopes).
        services.Configure<LoggerFactoryOptions>(o =>
            o.ActivityTrackingOptions |= ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        services.AddSingleton<PrometheusScrape>();

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(settings.ServiceName.Trim(), serviceVersion: Version))
            .WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new WorkSampler()))
                .AddSource(LodeSources)
                .AddAspNetCoreInstrumentation(o => o.Filter = IsTraced)
                .AddHttpClientInstrumentation()
                .AddNpgsql())
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(LodeSources)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddView(Buckets)
                    // Created with the provider, so the gauges exist (and query the database) only when something reads metrics.
                    .AddInstrumentation(sp => new IngestBacklogMetrics(
                        sp.GetRequiredService<JobQueue>(), sp.GetRequiredService<DocumentRepository>(), sp.GetRequiredService<TimeProvider>(),
                        TimeSpan.FromSeconds(settings.BacklogRefreshSeconds), sp.GetRequiredService<ILogger<IngestBacklogMetrics>>(),
                        sp.GetService<IMeterFactory>()));
                if (settings.PrometheusEnabled) metrics.AddPrometheusExporter();
            });

        if (settings.OtlpConfigured)
        {
            telemetry.UseOtlpExporter(
                settings.OtlpProtocol == TelemetryOptions.HttpProtobuf ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc,
                new Uri(settings.OtlpEndpoint!.Trim()));
        }
        else if (!string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]))
        {
            // Everything from the standard OTEL_EXPORTER_OTLP_* variables: protocol, headers, per-signal endpoints.
            telemetry.UseOtlpExporter();
        }
        return services;
    }

    private static string? Version =>
        typeof(TelemetryRegistration).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    // Scrapes and health probes arrive every few seconds: they are counted in the HTTP metrics but make no traces.
    private static bool IsTraced(HttpContext context) =>
        !context.Request.Path.StartsWithSegments("/" + PrometheusMetrics.Route) && !context.Request.Path.StartsWithSegments("/api/health");

    private static MetricStreamConfiguration? Buckets(Instrument instrument) =>
        instrument is not Histogram<double> || !LodeSources.Contains(instrument.Meter.Name) ? null
        : instrument.Unit == "s" ? new ExplicitBucketHistogramConfiguration { Boundaries = SecondsBuckets }
        : instrument.Name == ChatTelemetry.OutputSpeedName ? new ExplicitBucketHistogramConfiguration { Boundaries = TokensPerSecondBuckets }
        : null;
}
