using System.Diagnostics.Metrics;
using Lode.Chat.Models.Batching;

namespace Lode.Tests.Support;

/// <summary>
/// Listens to one app's batched-engine metric <see cref="BatchingTelemetry.OccupancyName"/> (decoding sequences over
/// the maximum, per step) and keeps the fullest step seen. Only the instruments of <paramref name="meterFactory"/> are
/// heard, so other apps running in the same test process do not count.
/// </summary>
internal sealed class BatchOccupancyRecorder : IDisposable
{
    private readonly MeterListener _listener;
    private readonly object _gate = new();
    private double _highest;

    public BatchOccupancyRecorder(IMeterFactory meterFactory)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == meterFactory && instrument.Name == BatchingTelemetry.OccupancyName)
                    listener.EnableMeasurementEvents(instrument);
            },
        };
        _listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            lock (_gate) _highest = Math.Max(_highest, value);
        });
        _listener.Start();
    }

    /// <summary>The largest occupancy recorded since construction (0–1).</summary>
    public double Highest { get { lock (_gate) return _highest; } }

    public void Dispose() => _listener.Dispose();
}
