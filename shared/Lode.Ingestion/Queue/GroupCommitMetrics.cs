using System.Diagnostics.Metrics;
using Lode.Ingestion.Pipeline;

namespace Lode.Ingestion.Queue;

/// <summary>
/// The intake writer's metrics (meter <c>Lode.Ingestion</c>): how many requests each shared commit carried, how long a
/// commit took, and how long a request waited for the commit that took it. Together they tell whether intake is limited
/// by the database (long commits, many requests per commit) or by the requests' own handling (commits of one or two).
/// </summary>
public sealed class GroupCommitMetrics : IDisposable
{
    /// <summary>Histogram of webhook requests whose jobs one transaction committed.</summary>
    public const string RequestsPerCommitName = "lode.intake.commit.requests";

    /// <summary>Histogram (seconds) of one shared transaction, from its first statement to its commit's answer.</summary>
    public const string CommitDurationName = "lode.intake.commit.duration";

    /// <summary>Histogram (seconds) of a request's wait from being handed to the writer until its transaction began.</summary>
    public const string QueuedDurationName = "lode.intake.queued.duration";

    private readonly Meter? _ownMeter;
    private readonly Histogram<int> _requestsPerCommit;
    private readonly Histogram<double> _commitDuration;
    private readonly Histogram<double> _queuedDuration;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/> (the host's), or on a meter of its own.</summary>
    public GroupCommitMetrics(IMeterFactory? meterFactory = null)
    {
        var meter = meterFactory?.Create(IngestMetrics.MeterName) ?? (_ownMeter = new Meter(IngestMetrics.MeterName));
        _requestsPerCommit = meter.CreateHistogram<int>(RequestsPerCommitName, unit: "{request}",
            description: "Webhook requests whose jobs one intake transaction committed.");
        _commitDuration = meter.CreateHistogram<double>(CommitDurationName, unit: "s",
            description: "Time one intake transaction took.");
        _queuedDuration = meter.CreateHistogram<double>(QueuedDurationName, unit: "s",
            description: "Time a webhook request waited for the intake transaction that took it.");
    }

    public void Committed(int requests, TimeSpan duration)
    {
        _requestsPerCommit.Record(requests);
        _commitDuration.Record(duration.TotalSeconds);
    }

    public void Taken(TimeSpan queued) => _queuedDuration.Record(queued.TotalSeconds);

    public void Dispose() => _ownMeter?.Dispose();
}
