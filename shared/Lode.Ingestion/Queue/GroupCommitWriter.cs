using System.Diagnostics;
using System.Threading.Channels;
using Lode.Database;
using Lode.Ingestion.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lode.Ingestion.Queue;

/// <summary>
/// Group commit for the ingest queue. Concurrent requests hand their job rows to one writer, which enqueues everything
/// waiting in one transaction and only then tells each request its jobs are committed. One commit (and one fsync)
/// serves many webhook requests, while each request still answers 2xx only after its own jobs are durable.
/// <para>
/// The writer takes whatever is queued as soon as the previous commit finishes — no timer: an idle writer commits a
/// lone request at once. Requests are enqueued in arrival order inside a batch, so the queue's rules (one job per
/// object, the newest event names the reason) hold across requests as they did across transactions.
/// </para>
/// </summary>
public sealed class GroupCommitWriter : IAsyncDisposable
{
    private sealed record Waiter(IReadOnlyCollection<JobRequest> Jobs, TaskCompletionSource Committed, CancellationToken Abandoned, long QueuedAt);

    private readonly JobQueue _queue;
    private readonly IntakeOptions _options;
    private readonly ILogger<GroupCommitWriter> _logger;
    private readonly GroupCommitMetrics _metrics;
    private readonly GroupCommitMetrics? _ownMetrics;
    private readonly RequestGathering _gathering;
    private readonly Channel<Waiter> _waiting;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _writer;
    private long _commits;
    private long _failedCommits;

    public GroupCommitWriter(JobQueue queue, IOptions<IngestionOptions> options, ILogger<GroupCommitWriter> logger,
        GroupCommitMetrics? metrics = null)
    {
        _queue = queue;
        _options = options.Value.Intake;
        _logger = logger;
        _metrics = metrics ?? (_ownMetrics = new GroupCommitMetrics());
        _waiting = Channel.CreateBounded<Waiter>(new BoundedChannelOptions(_options.MaxQueuedRequests)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _gathering = new RequestGathering(() => _waiting.Reader.Count);
        _writer = Task.Run(WriteAsync);
    }

    // What a refused sender is told to wait: about one commit's worth of a database that is coming back, not a backoff
    // of ours (MinIO keeps its own retry schedule).
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>Transactions committed by the writer (each may carry many requests' jobs).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Transactions that failed; every request in them was failed too.</summary>
    public long FailedCommits => Interlocked.Read(ref _failedCommits);

    /// <summary>Requests waiting for the writer to take them (not yet in a transaction).</summary>
    public int Queued => _waiting.Reader.Count;

    /// <summary>
    /// Returns once <paramref name="jobs"/> are committed. Throws when their transaction failed, or
    /// <see cref="IntakeUnavailableException"/> when the wait exceeded <see cref="IntakeOptions.MaxWaitSeconds"/> or intake
    /// is stopping: the caller must not acknowledge them (the sender redelivers).
    /// </summary>
    public async Task EnqueueAsync(IReadOnlyCollection<JobRequest> jobs, CancellationToken cancellationToken)
    {
        if (jobs.Count == 0) return;
        var waiter = new Waiter(jobs, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), cancellationToken,
            Stopwatch.GetTimestamp());
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(_options.MaxWaitSeconds));
        try
        {
            await _waiting.Writer.WriteAsync(waiter, deadline.Token);
            _gathering.Arrived();
            await waiter.Committed.Task.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The database's state, not the request's fault: a 503 the sender retries, not an unexpected error per request.
            throw new IntakeUnavailableException(
                $"The jobs were not committed within {_options.MaxWaitSeconds} s (Ingestion:Intake:MaxWaitSeconds).", RetryAfter, e);
        }
        catch (ChannelClosedException e)
        {
            throw new IntakeUnavailableException("Intake is shutting down; the notification was not taken.", RetryAfter, e);
        }
    }

    private async Task WriteAsync()
    {
        var batch = new List<Waiter>();
        var rows = new List<JobRequest>();
        var gather = TimeSpan.FromMilliseconds(_options.GatherMilliseconds);
        try
        {
            while (await _waiting.Reader.WaitToReadAsync(_stopping.Token))
            {
                // As many requests as the last commit answered are likely on their way back: a lone request (the last
                // commit had one) is never held up.
                if (batch.Count > 1) await _gathering.WaitAsync(batch.Count, gather, _stopping.Token);
                batch.Clear();
                TakeBatch(batch, rows);
                if (rows.Count > 0) await CommitAsync(batch, rows);
                rows.Clear();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping without draining: whoever still waits is failed below.
        }
        while (_waiting.Reader.TryRead(out var left)) left.Committed.TrySetException(new InvalidOperationException("Intake stopped."));
    }

    // Everything queued now, up to MaxBatchRows (a larger single request goes alone). Requests whose caller already
    // went away are skipped: nobody will acknowledge them, and the sender redelivers.
    private void TakeBatch(List<Waiter> batch, List<JobRequest> rows)
    {
        while (_waiting.Reader.TryPeek(out var next))
        {
            if (rows.Count > 0 && rows.Count + next.Jobs.Count > _options.MaxBatchRows) return;
            _waiting.Reader.TryRead(out _);
            if (next.Abandoned.IsCancellationRequested)
            {
                next.Committed.TrySetCanceled(next.Abandoned);
                continue;
            }
            batch.Add(next);
            rows.AddRange(next.Jobs);
        }
    }

    private async Task CommitAsync(List<Waiter> batch, List<JobRequest> rows)
    {
        var started = Stopwatch.GetTimestamp();
        foreach (var waiter in batch) _metrics.Taken(Stopwatch.GetElapsedTime(waiter.QueuedAt, started));
        try
        {
            // Not the callers' tokens: one caller leaving must not abort the others' transaction.
            await _queue.EnqueueAsync(rows, _stopping.Token);
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _failedCommits);
            _logger.LogError(e, "Group commit of {Rows} job(s) for {Requests} request(s) failed; each request is refused", rows.Count, batch.Count);
            foreach (var waiter in batch) waiter.Committed.TrySetException(e);
            return;
        }
        Interlocked.Increment(ref _commits);
        _metrics.Committed(batch.Count, Stopwatch.GetElapsedTime(started));
        foreach (var waiter in batch) waiter.Committed.TrySetResult();
    }

    /// <summary>Stops taking requests, commits those already queued, then stops the writer.</summary>
    public async ValueTask DisposeAsync()
    {
        _waiting.Writer.TryComplete();
        // Bounded: a database that does not answer must not hold up shutdown; what is left is failed (not acknowledged).
        try
        {
            await _writer.WaitAsync(TimeSpan.FromSeconds(_options.MaxWaitSeconds));
        }
        catch (TimeoutException)
        {
            await _stopping.CancelAsync();
            await _writer;
        }
        _stopping.Dispose();
        _ownMetrics?.Dispose();
    }
}
