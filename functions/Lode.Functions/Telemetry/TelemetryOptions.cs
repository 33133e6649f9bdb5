using System.ComponentModel.DataAnnotations;

namespace Lode.Functions.Telemetry;

/// <summary>
/// Configuration section <c>Telemetry</c>: where traces, metrics and logs go. OTLP export is off unless
/// <see cref="OtlpEndpoint"/> (or the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>) names a collector, which must be on
/// <c>Security:AllowedRemoteHosts</c>; the Prometheus scrape endpoint <c>GET metrics</c> is on unless disabled, and
/// asks for a bearer token when <see cref="PrometheusToken"/> is set.
/// </summary>
public sealed class TelemetryOptions : IValidatableObject
{
    public const string SectionName = "Telemetry";

    public const string Grpc = "grpc";
    public const string HttpProtobuf = "http/protobuf";

    /// <summary>The <c>service.name</c> every span, metric and log record carries.</summary>
    public string ServiceName { get; set; } = "lode";

    /// <summary>
    /// Base address of an OTLP collector (e.g. <c>http://otel-collector:4317</c>). Empty: no OTLP export, unless
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, in which case every <c>OTEL_EXPORTER_OTLP_*</c> variable applies as usual.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (port 4317 by convention) or <c>http/protobuf</c> (port 4318; <c>/v1/traces</c> etc. are appended).</summary>
    public string OtlpProtocol { get; set; } = Grpc;

    /// <summary>Serves the Prometheus text format at <c>GET metrics</c>.</summary>
    public bool PrometheusEnabled { get; set; } = true;

    /// <summary>When set, <c>GET metrics</c> requires <c>Authorization: Bearer &lt;token&gt;</c>. Empty: anyone who reaches the port may scrape.</summary>
    public string? PrometheusToken { get; set; }

    /// <summary>How long a reading of the database-backed gauges (queue depth, documents by status) is reused.</summary>
    public int BacklogRefreshSeconds { get; set; } = 15;

    public bool OtlpConfigured => !string.IsNullOrWhiteSpace(OtlpEndpoint);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ServiceName))
            yield return Error("Telemetry:ServiceName must not be empty.", nameof(ServiceName));
        if (OtlpConfigured && (!Uri.TryCreate(OtlpEndpoint!.Trim(), UriKind.Absolute, out var uri)
                               || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
            yield return Error($"Telemetry:OtlpEndpoint '{OtlpEndpoint}' is not an absolute http(s) URL.", nameof(OtlpEndpoint));
        if (OtlpProtocol is not (Grpc or HttpProtobuf))
            yield return Error($"Telemetry:OtlpProtocol '{OtlpProtocol}' is not one of: {Grpc}, {HttpProtobuf}.", nameof(OtlpProtocol));
        if (PrometheusToken is { Length: > 0 } token && token.Trim().Length < 16)
            yield return Error("Telemetry:PrometheusToken must be at least 16 characters (or empty for no token).", nameof(PrometheusToken));
        if (BacklogRefreshSeconds is < 1 or > 3600)
            yield return Error("Telemetry:BacklogRefreshSeconds must be from 1 to 3600.", nameof(BacklogRefreshSeconds));
    }

    private static ValidationResult Error(string message, string member) => new(message, [member]);
}
