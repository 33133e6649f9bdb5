using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Lode.Ingestion.Pipeline;

/// <summary>
/// The pipeline's metrics (meter <c>Lode.Ingestion</c>): how long each step takes per document and what came of each job.
/// Any OpenTelemetry or dotnet-counters listener can read them; the ingest benchmark uses them to show where the time goes.
/// The backlog gauges (queue depth, documents by status) are on the same meter, in <see cref="Queue.IngestBacklogMetrics"/>;
/// the spans of the same steps come from <see cref="IngestPipeline"/>, which times every step.
/// </summary>
public sealed class IngestMetrics : IDisposable
{
    public const string MeterName = "Lode.Ingestion";

    /// <summary>Histogram (seconds) of one step for one document, tagged <c>step</c>: fetch, extract, chunk, embed, store.</summary>
    public const string StepDurationName = "lode.ingest.step.duration";

    /// <summary>Counter of finished jobs, tagged <c>outcome</c> (see <see cref="IngestOutcome"/>).</summary>
    public const string DocumentsName = "lode.ingest.documents";

    /// <summary>Counter of chunks stored by indexed documents.</summary>
    public const string ChunksName = "lode.ingest.chunks";

    /// <summary>Counter of chunk texts sent to the embedding model (the others reused a stored vector).</summary>
    public const string EmbeddedName = "lode.ingest.embedded";

    private readonly Meter? _ownMeter;
    private readonly Histogram<double> _stepDuration;
    private readonly Counter<long> _documents;
    private readonly Counter<long> _chunks;
    private readonly Counter<long> _embedded;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/> (the host's), or on a meter of its own.</summary>
    public IngestMetrics(IMeterFactory? meterFactory = null)
    {
        var meter = meterFactory?.Create(MeterName) ?? (_ownMeter = new Meter(MeterName));
        _stepDuration = meter.CreateHistogram<double>(StepDurationName, unit: "s",
            description: "Time one ingestion step took for one document.");
        _documents = meter.CreateCounter<long>(DocumentsName, unit: "{document}", description: "Ingest jobs finished, by outcome.");
        _chunks = meter.CreateCounter<long>(ChunksName, unit: "{chunk}", description: "Chunks stored by indexed documents.");
        _embedded = meter.CreateCounter<long>(EmbeddedName, unit: "{chunk}", description: "Chunk texts sent to the embedding model.");
    }

    /// <summary>
    /// Records the step that ran since <paramref name="since"/> (a <see cref="Stopwatch.GetTimestamp"/>), moves
    /// <paramref name="since"/> to now for the next step, and returns the step's duration.
    /// </summary>
    public TimeSpan StepDone(string step, ref long since)
    {
        var now = Stopwatch.GetTimestamp();
        var elapsed = Stopwatch.GetElapsedTime(since, now);
        since = now;
        _stepDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("step", step));
        return elapsed;
    }

    public void Finished(IngestOutcome outcome) =>
        _documents.Add(1, new KeyValuePair<string, object?>("outcome", OutcomeTag(outcome)));

    public void Stored(int chunks, int embedded)
    {
        _chunks.Add(chunks);
        _embedded.Add(embedded);
    }

    public void Dispose() => _ownMeter?.Dispose();

    internal static string OutcomeTag(IngestOutcome outcome) => outcome switch
    {
        IngestOutcome.Indexed => "indexed",
        IngestOutcome.Unchanged => "unchanged",
        IngestOutcome.Deleted => "deleted",
        IngestOutcome.Rejected => "rejected",
        _ => outcome.ToString().ToLowerInvariant(),
    };
}

/// <summary>Names of the pipeline steps as they appear in the <c>step</c> tag of <see cref="IngestMetrics.StepDurationName"/>.</summary>
public static class IngestStepNames
{
    public const string Fetch = "fetch";
    public const string Extract = "extract";
    public const string Chunk = "chunk";
    public const string Embed = "embed";
    public const string Store = "store";
}
