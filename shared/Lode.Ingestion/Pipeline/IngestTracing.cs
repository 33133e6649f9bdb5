using System.Diagnostics;
using Lode.Database;

namespace Lode.Ingestion.Pipeline;

/// <summary>
/// The pipeline's traces (activity source <c>Lode.Ingestion</c>, the name of its meter too): one span per job
/// (<see cref="JobSpanName"/>) with a child span per step (<see cref="StepSpanPrefix"/> + the step's name). Spans carry
/// the object's bucket and key and the job's bookkeeping; never document text, and of a failure only the exception's
/// type, since messages can quote content.
/// </summary>
public static class IngestTracing
{
    public const string SourceName = IngestMetrics.MeterName;

    public const string JobSpanName = "lode.ingest.job";

    /// <summary>Step spans are named <c>lode.ingest.fetch</c>, <c>lode.ingest.extract</c>, … (<see cref="IngestStepNames"/>).</summary>
    public const string StepSpanPrefix = "lode.ingest.";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>The job's span; null when nobody listens. A root span: a job outlives the request that queued it.</summary>
    internal static Activity? StartJob(IngestJob job)
    {
        var span = Source.StartActivity(JobSpanName, ActivityKind.Consumer);
        if (span is null) return null;
        span.SetTag("lode.bucket", job.Bucket);
        span.SetTag("lode.key", job.Key);
        span.SetTag("lode.ingest.job.id", job.Id);
        span.SetTag("lode.ingest.job.reason", job.Reason);
        span.SetTag("lode.ingest.job.attempt", job.Attempts);
        span.SetTag("lode.ingest.job.force", job.Force);
        return span;
    }

    internal static void Finished(Activity? span, IngestOutcome outcome) =>
        span?.SetTag("lode.ingest.outcome", IngestMetrics.OutcomeTag(outcome));

    /// <summary>A child of the current span (the job's) for one step.</summary>
    internal static Activity? StartStep(string step) => Source.StartActivity(StepSpanPrefix + step);

    /// <summary>Marks <paramref name="span"/> failed with the exception's type only (<c>error.type</c>).</summary>
    internal static void Failed(Activity? span, Exception error)
    {
        if (span is null) return;
        span.SetStatus(ActivityStatusCode.Error, error.GetType().Name);
        span.SetTag("error.type", error.GetType().FullName);
    }
}
