using Lode.Database;
using Lode.Ingestion;
using Lode.Ingestion.Pipeline;
using Lode.Ingestion.Queue;
using Lode.Access;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lode.Tests.Queue;

/// <summary>
/// A job whose last allowed attempt ended without an outcome (its worker's process was killed while working on it) is
/// refused when leased again and marked failed, instead of being worked on once more: a document that kills its
/// worker cannot crash-loop the workers across restarts. Against a real PostgreSQL.
/// </summary>
public sealed class ExhaustedJobRefusalTests : IAsyncLifetime
{
    private const int MaxAttempts = 2;
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_job_leased_after_its_last_attempt_is_marked_failed_without_being_worked_on()
    {
        var queue = new JobQueue(_db.DataSource);
        await queue.EnqueueAsync([new JobRequest("b", "poison.html", "test")], default);
        // Every allowed attempt was leased and its worker died: no outcome, the lease lapsed.
        await _db.ExecuteAsync("UPDATE ingest_jobs SET attempts = $1", MaxAttempts);
        var worked = false;

        await using (var worker = StartWorker(queue, onPipeline: () => worked = true))
        {
            await Eventually.WaitUntilAsync(async () => await _db.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs") == 0,
                "the exhausted job to be refused");
        }

        var document = await new DocumentRepository(_db.DataSource).GetAsync("b", "poison.html", default);
        Assert.False(worked, "the pipeline ran the exhausted job again");
        Assert.Equal("failed", document!.Status);
        Assert.Contains($"Failed after {MaxAttempts} attempts", document.Error);
        Assert.Contains("ended without an outcome", document.Error);
    }

    [Fact]
    public async Task A_job_with_attempts_left_is_worked_on()
    {
        var queue = new JobQueue(_db.DataSource);
        await queue.EnqueueAsync([new JobRequest("b", "fine.md", "test")], default);
        await _db.ExecuteAsync("UPDATE ingest_jobs SET attempts = $1", MaxAttempts - 1);
        var worked = new TaskCompletionSource();

        await using var worker = StartWorker(queue, onPipeline: () => worked.TrySetResult());

        await worked.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private RunningWorker StartWorker(JobQueue queue, Action onPipeline)
    {
        // The pipeline is never built: resolving it records that the worker tried to work on the job.
        var services = new ServiceCollection()
            .AddScoped<IngestPipeline>(_ =>
            {
                onPipeline();
                throw new InvalidOperationException("test: no pipeline");
            })
            .BuildServiceProvider();
        var options = Options.Create(new IngestionOptions { MaxAttempts = MaxAttempts, PollSeconds = 0.05, RetryBaseSeconds = 3_600 });
        // The index follows this worker's access rules (as the app's start-up makes it), so the worker leases.
        var access = new DocumentAccessResolver(Options.Create(new DocumentAccessOptions()));
        queue.AdoptAccessRulesAsync(access.RulesFingerprint, "test", CancellationToken.None).GetAwaiter().GetResult();
        var outcomes = new JobOutcomeRecorder(new IndexWriter(_db.DataSource), queue);
        var decision = new JobOutcomeDecision(options, NullLogger<JobOutcomeDecision>.Instance);
        var worker = new IngestWorker(queue, services.GetRequiredService<IServiceScopeFactory>(), decision, outcomes,
            new IngestSignal(), access, new IndexSettings(_db.DataSource), options, NullLogger<IngestWorker>.Instance);
        return new RunningWorker(worker, services);
    }

    private sealed class RunningWorker : IAsyncDisposable
    {
        private readonly IngestWorker _worker;
        private readonly ServiceProvider _services;

        public RunningWorker(IngestWorker worker, ServiceProvider services)
        {
            _worker = worker;
            _services = services;
            _worker.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        public async ValueTask DisposeAsync()
        {
            await _worker.StopAsync(CancellationToken.None);
            _worker.Dispose();
            await _services.DisposeAsync();
        }
    }
}
