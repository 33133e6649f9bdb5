using System.Diagnostics;

namespace Lode.Ingestion.Pipeline;

/// <summary>
/// Times the steps of one document's indexing, one after the other: each step is a child span of the job's span
/// (so the step's own database and HTTP calls nest under it) and a measurement of
/// <see cref="IngestMetrics.StepDurationName"/>. A step still open when this is disposed did not complete (its code
/// threw): its span ends marked as an error.
/// </summary>
public sealed class IngestSteps(IngestMetrics metrics) : IDisposable
{
    private string? _step;
    private Activity? _span;
    private long _since;

    public void Begin(string step)
    {
        if (_step is not null) throw new InvalidOperationException($"Step '{_step}' has not ended.");
        _step = step;
        _span = IngestTracing.StartStep(step);
        _since = Stopwatch.GetTimestamp();
    }

    /// <summary>Ends the current step and returns how long it took.</summary>
    public TimeSpan End()
    {
        var step = _step ?? throw new InvalidOperationException("No step has begun.");
        var elapsed = metrics.StepDone(step, ref _since);
        _span?.Dispose();
        (_step, _span) = (null, null);
        return elapsed;
    }

    public void Dispose()
    {
        if (_step is null) return;
        _span?.SetStatus(ActivityStatusCode.Error, "The step did not complete.");
        _span?.Dispose();
        (_step, _span) = (null, null);
    }
}
