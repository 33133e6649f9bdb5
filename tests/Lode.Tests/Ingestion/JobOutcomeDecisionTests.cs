using Lode.Database;
using Lode.Ingestion;
using Lode.Ingestion.Extraction;
using Lode.Ingestion.Pipeline;
using Lode.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using JobOutcome = Lode.Ingestion.Pipeline.JobOutcome;

namespace Lode.Tests.Ingestion;

/// <summary>The one place that decides what a job that did not index comes to, and the order the steps run in.</summary>
public sealed class JobOutcomeDecisionTests
{
    private static readonly JobOutcomeDecision Decision = new(
        Options.Create(new IngestionOptions { MaxAttempts = 3, RetryBaseSeconds = 10, RetryMaxSeconds = 100 }),
        NullLogger<JobOutcomeDecision>.Instance);

    private static IngestJob Job(int attempts) => new(1, "b", "k.pdf", "test", false, 1, attempts, Guid.NewGuid());

    [Fact]
    public void A_document_that_can_never_be_indexed_is_rejected_with_its_version_and_groups()
    {
        var current = new ObjectInfo("b", "k.pdf", "etag-2", 10, "application/pdf", DateTimeOffset.UnixEpoch, new Dictionary<string, string>());
        var context = new IngestContext(Job(1), current, ["hr"], [], []);

        var outcome = Assert.IsType<JobOutcome.Rejected>(Decision.Rejected(context, new RejectedDocumentException(RejectionReason.Encrypted, "password protected")));

        Assert.Equal(("Encrypted: password protected", "etag-2"), (outcome.Reason, outcome.Etag));
        Assert.Equal(["hr"], outcome.ReadGroups);
        Assert.Equal(IngestOutcome.Rejected, outcome.Counted);
    }

    [Fact]
    public void A_transient_failure_with_attempts_left_is_retried_with_backoff()
    {
        var outcome = Assert.IsType<JobOutcome.Retry>(Decision.AfterFailure(Job(2), new TimeoutException("store away")));

        Assert.Equal("TimeoutException: store away", outcome.Reason);
        // Attempt 2: twice the base, within the ±20 % jitter.
        Assert.InRange(outcome.Delay.TotalSeconds, 16, 24);
        Assert.Null(outcome.Counted);
    }

    [Fact]
    public void The_last_attempt_gives_up_naming_the_attempts_and_the_cause()
    {
        var outcome = Assert.IsType<JobOutcome.GaveUp>(Decision.AfterFailure(Job(3), new TimeoutException("store away")));

        Assert.Equal("Failed after 3 attempts: TimeoutException: store away", outcome.Reason);
    }

    [Fact]
    public void A_job_leased_after_its_last_attempt_is_given_up_unworked()
    {
        Assert.False(Decision.IsExhausted(Job(3)));
        Assert.True(Decision.IsExhausted(Job(4)));

        var outcome = Assert.IsType<JobOutcome.GaveUp>(Decision.Exhausted(Job(4)));
        Assert.StartsWith("Failed after 3 attempts (Ingestion:MaxAttempts): the last ended without an outcome", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_steps_are_registered_in_the_order_they_run()
    {
        var services = new ServiceCollection().AddLodeIngestion();

        var steps = services.Where(d => d.ServiceType == typeof(IIngestStep)).Select(d => d.ImplementationType).ToList();

        Assert.Equal([typeof(FetchStep), typeof(ExtractStep), typeof(ChunkStep), typeof(EmbedStep), typeof(StoreStep)], steps);
    }
}
