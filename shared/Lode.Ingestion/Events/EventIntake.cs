using Lode.Database;
using Lode.Ingestion.Queue;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lode.Ingestion.Events;

/// <summary>How a notification was taken in.</summary>
public sealed record IntakeResult(int Records, int Queued, int Ignored);

/// <summary>
/// Turns a bucket notification into durable jobs. The jobs are committed before this returns, so the webhook can answer
/// 2xx only once nothing can be lost; MinIO redelivers anything it did not get a 2xx for. Concurrent notifications
/// share their commit through the <see cref="GroupCommitWriter"/> (unless <see cref="IntakeOptions.GroupCommit"/> is off).
/// </summary>
public sealed class EventIntake(JobQueue queue, GroupCommitWriter groupCommit, IngestSignal signal, IOptions<IngestionOptions> options,
    ILogger<EventIntake> logger)
{
    private readonly bool _groupCommit = options.Value.Intake.GroupCommit;
    private readonly HashSet<string> _buckets = new(options.Value.Buckets, StringComparer.Ordinal);

    /// <exception cref="MalformedEventException">The body is not a readable notification; nothing was stored.</exception>
    public async Task<IntakeResult> AcceptAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var events = MinioEventParser.Parse(body.Span);
        var wanted = events.Where(e => _buckets.Count == 0 || _buckets.Contains(e.Bucket)).ToList();
        // Several records for one object (put then delete, repeated puts) become one job: the worker looks at the object.
        var jobs = wanted
            .GroupBy(e => (e.Bucket, e.Key))
            .Select(g => new JobRequest(g.Key.Bucket, g.Key.Key, g.Last().EventName))
            .ToList();
        if (_groupCommit) await groupCommit.EnqueueAsync(jobs, cancellationToken);
        else await queue.EnqueueAsync(jobs, cancellationToken);
        if (jobs.Count > 0) signal.Notify();

        var ignored = events.Count - wanted.Count;
        if (ignored > 0) logger.LogDebug("Ignored {Ignored} event(s) for buckets not in Ingestion:Buckets", ignored);
        return new IntakeResult(events.Count, jobs.Count, ignored);
    }
}
