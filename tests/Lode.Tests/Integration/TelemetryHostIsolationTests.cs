using System.Diagnostics.Metrics;
using Lode.Chat;
using Lode.Functions.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Lode.Tests.Integration;

/// <summary>
/// Several app hosts share one test process (xunit runs their fixtures side by side). Disposing one of them must not
/// take the Lode series out of another's metrics: that was the full-suite failure of the Prometheus scrape test.
/// </summary>
public sealed class TelemetryHostIsolationTests
{
    private const string CounterName = "lode_isolation_probe_total";

    [Fact]
    public void Disposing_one_host_keeps_the_lode_series_of_another_host_in_the_same_process()
    {
        using var kept = new Host();
        var disposed = new Host();
        kept.Probe.Add(1);
        disposed.Probe.Add(1);
        Assert.Contains(CounterName, kept.Collect());

        disposed.Dispose();
        kept.Collect(); // the collection that follows the other host's instruments completing
        kept.Probe.Add(1);

        Assert.Contains(CounterName, kept.Collect());
    }

    /// <summary>A host's service provider with Lode's metric views and a meter from its own meter factory.</summary>
    private sealed class Host : IDisposable
    {
        private readonly ServiceProvider _services;
        private readonly MetricNames _exported = new();

        public Host()
        {
            var services = new ServiceCollection();
            services.AddMetrics();
            services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter(ChatTelemetry.Name)
                .AddLodeViews()
                .AddReader(new BaseExportingMetricReader(_exported)));
            _services = services.BuildServiceProvider();
            _ = _services.GetRequiredService<MeterProvider>();
            Probe = _services.GetRequiredService<IMeterFactory>().Create(ChatTelemetry.Name).CreateCounter<long>(CounterName);
        }

        public Counter<long> Probe { get; }

        /// <summary>The metric names one collection exports.</summary>
        public IReadOnlyCollection<string> Collect()
        {
            _exported.Names.Clear();
            Assert.True(_services.GetRequiredService<MeterProvider>().ForceFlush());
            return _exported.Names.ToList();
        }

        public void Dispose() => _services.Dispose();
    }

    private sealed class MetricNames : BaseExporter<Metric>
    {
        public HashSet<string> Names { get; } = [];

        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var metric in batch) Names.Add(metric.Name);
            return ExportResult.Success;
        }
    }
}
