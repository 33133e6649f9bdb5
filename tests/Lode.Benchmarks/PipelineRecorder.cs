using System.Diagnostics.Metrics;
using Lode.Ingestion.Pipeline;

namespace Lode.Benchmarks;

/// <summary>Listens to the pipeline's <see cref="IngestMetrics"/>: step durations, finished jobs, texts embedded.</summary>
internal sealed class PipelineRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, double> _stepSeconds = new(StringComparer.Ordinal);
    private long _finished;
    private long _embedded;

    public PipelineRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == IngestMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name != IngestMetrics.StepDurationName) return;
            foreach (var tag in tags)
            {
                if (tag is { Key: "step", Value: string step })
                {
                    lock (_lock) _stepSeconds[step] = _stepSeconds.GetValueOrDefault(step) + value;
                }
            }
        });
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == IngestMetrics.DocumentsName) Interlocked.Add(ref _finished, value);
            else if (instrument.Name == IngestMetrics.EmbeddedName) Interlocked.Add(ref _embedded, value);
        });
        _listener.Start();
    }

    public long Finished => Interlocked.Read(ref _finished);

    public long Embedded => Interlocked.Read(ref _embedded);

    public Dictionary<string, double> StepSeconds()
    {
        lock (_lock) return new Dictionary<string, double>(_stepSeconds, StringComparer.Ordinal);
    }

    public void Reset()
    {
        lock (_lock) _stepSeconds.Clear();
        Interlocked.Exchange(ref _embedded, 0);
    }

    public void Dispose() => _listener.Dispose();
}
