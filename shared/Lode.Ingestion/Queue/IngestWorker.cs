using Lode.Database;
using Lode.Ingestion.Pipeline;
using Lode.Access;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lode.Ingestion.Queue;

/// <summary>
/// Leases jobs from the durable queue and runs them through the pipeline, a bounded number at a time. A heartbeat
/// keeps each lease alive while the document is worked on; if the process dies the lease lapses and another worker
/// (in this process or another) takes the job. A failing document is retried with backoff and finally marked failed,
/// its last good version still served; it never holds up the others.
/// </summary>
public sealed class IngestWorker(
    JobQueue queue,
    IServiceScopeFactory scopes,
    JobOutcomeDecision decision,
    JobOutcomeRecorder outcomes,
    IngestSignal signal,
    DocumentAccessResolver access,
    IndexSettings settings,
    IOptions<IngestionOptions> options,
    ILogger<IngestWorker> logger) : BackgroundService
{
    private readonly IngestionOptions _options = options.Value;
    // Names the lease holder for operators: which machine and process holds a job.
    private readonly string _workerId = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    // Whether the "other access rules" warning was given, so an idle stale instance says it once, not every poll.
    private bool _staleRulesReported;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.WorkerEnabled)
        {
            logger.LogInformation("Ingest worker disabled (Ingestion:WorkerEnabled=false)");
            return;
        }
        var lease = TimeSpan.FromSeconds(_options.LeaseSeconds);
        var running = new List<Task>();
        // At most one wait on the signal at a time, kept until it completes. A wait left behind whenever another task won
        // the WhenAny below (every idle poll) would still take the next notification, first in first out, so new jobs
        // would be noticed only at the next poll, and the abandoned waits would pile up.
        Task? wake = null;
        logger.LogInformation("Ingest worker {Worker} started: concurrency {Concurrency}, lease {Lease}s",
            _workerId, _options.MaxConcurrency, _options.LeaseSeconds);

        while (!stoppingToken.IsCancellationRequested)
        {
            running.RemoveAll(t => t.IsCompleted);
            IReadOnlyList<IngestJob> jobs = [];
            var free = _options.MaxConcurrency - running.Count;
            if (free > 0)
            {
                try
                {
                    jobs = await queue.LeaseAsync(free, lease, _workerId, stoppingToken, access.RulesFingerprint);
                    if (jobs.Count == 0) await ReportStaleRulesOnceAsync(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // The database is away: say so once per poll and keep trying; nothing is lost, jobs wait in it.
                    logger.LogWarning("Could not lease ingest jobs: {Error}", e.Message);
                }
            }
            foreach (var job in jobs) running.Add(RunJobAsync(job, lease, stoppingToken));

            // Busy and full: wait for one to finish. Otherwise poll, or wake early when nudged or a job finishes.
            var waits = new List<Task>(running) { Task.Delay(TimeSpan.FromSeconds(_options.PollSeconds), stoppingToken) };
            if (jobs.Count == 0 || running.Count >= _options.MaxConcurrency) waits.Add(wake ??= signal.WaitAsync(stoppingToken));
            else continue; // leased a full batch with room to spare: look for more at once
            try { await Task.WhenAny(waits); }
            catch (OperationCanceledException) { }
            if (wake is { IsCompleted: true }) wake = null;
        }

        // Clean stop: let the documents in hand finish their current step; those cancelled are released, not abandoned.
        await Task.WhenAll(running);
        logger.LogInformation("Ingest worker {Worker} stopped", _workerId);
    }

    private async Task RunJobAsync(IngestJob job, TimeSpan lease, CancellationToken stoppingToken)
    {
        await Task.Yield();
        if (decision.IsExhausted(job))
        {
            await RefuseExhaustedAsync(job);
            return;
        }
        using var work = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var heartbeat = StartHeartbeat(job, lease, work);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var pipeline = scope.ServiceProvider.GetRequiredService<IngestPipeline>();
            var outcome = await pipeline.ProcessAsync(job, work.Token);
            logger.LogDebug("Job {Job} for {Bucket}/{Key}: {Outcome}", job.Id, job.Bucket, job.Key, outcome);
        }
        catch (StaleAccessRulesException)
        {
            logger.LogWarning("Handed {Bucket}/{Key} back: the index now follows other access rules than this instance's", job.Bucket, job.Key);
        }
        catch (LeaseLostException)
        {
            logger.LogWarning("Lost the lease on {Bucket}/{Key}; another worker has it", job.Bucket, job.Key);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await Bookkeep(() => queue.ReleaseAsync(job, CancellationToken.None), job);
        }
        catch (OperationCanceledException) when (work.IsCancellationRequested)
        {
            logger.LogWarning("Lost the lease on {Bucket}/{Key} while working; stopped", job.Bucket, job.Key);
        }
        catch (Exception e)
        {
            await Bookkeep(() => outcomes.WriteAsync(job, decision.AfterFailure(job, e), CancellationToken.None), job);
        }
        finally
        {
            signal.Notify();
        }
    }

    // Leasing refuses jobs to a worker whose rules the index no longer follows; only an idle poll asks why, so a busy
    // worker pays nothing for it.
    private async Task ReportStaleRulesOnceAsync(CancellationToken ct)
    {
        if (_staleRulesReported) return;
        var stored = await settings.GetAsync(IndexSettings.AccessRules, ct);
        if (stored is null || stored == access.RulesFingerprint) return;
        _staleRulesReported = true;
        logger.LogWarning("The index follows other access rules than this instance's (Access:*): this worker leases no " +
            "ingest jobs until it is restarted with the current rules");
    }

    /// <summary>A job leased again after its last allowed attempt is marked failed without being worked on (<see cref="JobOutcomeDecision.Exhausted"/>).</summary>
    private async Task RefuseExhaustedAsync(IngestJob job)
    {
        try
        {
            await Bookkeep(() => outcomes.WriteAsync(job, decision.Exhausted(job), CancellationToken.None), job);
        }
        finally
        {
            signal.Notify();
        }
    }

    // If even the bookkeeping fails (database gone), the lease simply lapses and the job is taken again later.
    private async Task Bookkeep(Func<Task> write, IngestJob job)
    {
        try { await write(); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning("Could not record the outcome of job {Job} ({Error}); it will be retried when its lease lapses",
                job.Id, e.Message);
        }
    }

    /// <summary>Renews the lease every third of its length; cancels the work if the lease is lost.</summary>
    private Timer StartHeartbeat(IngestJob job, TimeSpan lease, CancellationTokenSource work)
    {
        var period = lease / 3;
        return new Timer(_ => _ = Renew(), null, period, period);

        async Task Renew()
        {
            try
            {
                if (!await queue.RenewAsync(job, lease, work.Token)) await work.CancelAsync();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Transient: the next beat tries again; if the database stays away the lease lapses as designed.
                logger.LogDebug("Lease heartbeat for job {Job} failed: {Error}", job.Id, e.Message);
            }
        }
    }
}
