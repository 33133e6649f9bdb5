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
                    .AddLodeViews()
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

    /// <summary>
    /// The one view of the meter provider: instruments of another host's meter factory are dropped, Lode's histograms
    /// get buckets that fit them. Why the drop: <c>AddMeter</c> subscribes by name to every meter in the process, and
    /// two hosts in one process (tests, or a host rebuilt in place) own instruments of the same identity, which the SDK
    /// folds into one metric stream; when the other host is disposed its instruments complete and the SDK retires that
    /// shared stream, so this host's series vanish from its scrape although its own instruments still record.
    /// </summary>
    public static MeterProviderBuilder AddLodeViews(this MeterProviderBuilder metrics) =>
        // The host's meter factory exists only once the service provider does: the view is added then.
        (metrics as IDeferredMeterProviderBuilder
            ?? throw new InvalidOperationException("Lode's metric views need a meter provider built from the service collection."))
        .Configure((services, builder) =>
        {
            var ownFactory = services.GetService<IMeterFactory>();
            // One view only: with several, a drop from one would not stop another's buckets from creating the stream.
            builder.AddView(instrument => IsAnotherHosts(instrument, ownFactory) ? MetricStreamConfiguration.Drop : Buckets(instrument));
        });

    // Meters without a factory (static ones, such as the runtime's) belong to the whole process and stay.
    private static bool IsAnotherHosts(Instrument instrument, IMeterFactory? ownFactory) =>
        instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, ownFactory);

    private static MetricStreamConfiguration? Buckets(Instrument instrument) =>
        instrument is not Histogram<double> || !LodeSources.Contains(instrument.Meter.Name) ? null
        : instrument.Unit == "s" ? new ExplicitBucketHistogramConfiguration { Boundaries = SecondsBuckets }
        : instrument.Name == ChatTelemetry.OutputSpeedName ? new ExplicitBucketHistogramConfiguration { Boundaries = TokensPerSecondBuckets }
        : null;
}
