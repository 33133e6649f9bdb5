using Lode.Database;

namespace Lode.Ingestion.Pipeline;

/// <summary>
/// What becomes of a job, decided once and written by <see cref="JobOutcomeRecorder"/> (the one place that records
/// outcomes). Failures are turned into outcomes by <see cref="JobOutcomeDecision"/>.
/// </summary>
public abstract record JobOutcome
{
    private JobOutcome() { }

    /// <summary>How the outcome is counted in metrics and tagged on the job's span; null for a failed attempt.</summary>
    public abstract IngestOutcome? Counted { get; }

    /// <summary>Extracted, chunked, embedded: the new version replaces the old in every stale generation, in one transaction.</summary>
    public sealed record Indexed(IndexedObject Document, IReadOnlyList<GenerationChunks> Chunks, IReadOnlyCollection<int> Considered) : JobOutcome
    {
        public override IngestOutcome? Counted => IngestOutcome.Indexed;
    }

    /// <summary>Every generation holds this version already; its groups are decided again.</summary>
    public sealed record Unchanged(string[] ReadGroups, IReadOnlyCollection<int> Considered) : JobOutcome
    {
        public override IngestOutcome? Counted => IngestOutcome.Unchanged;
    }

    /// <summary>The object is gone: the document and its chunks go too.</summary>
    public sealed record Deleted : JobOutcome
    {
        public override IngestOutcome? Counted => IngestOutcome.Deleted;
    }

    /// <summary>The version can never be indexed as it is (format, corruption, limits): failed at once, never retried.</summary>
    public sealed record Rejected(string Reason, string Etag, string[] ReadGroups) : JobOutcome
    {
        public override IngestOutcome? Counted => IngestOutcome.Rejected;
    }

    /// <summary>A transient failure with attempts left: the job is tried again after <see cref="Delay"/>.</summary>
    public sealed record Retry(string Reason, TimeSpan Delay) : JobOutcome
    {
        public override IngestOutcome? Counted => null;
    }

    /// <summary>No attempts left: the document shows failed, its last indexed version keeps answering.</summary>
    public sealed record GaveUp(string Reason) : JobOutcome
    {
        public override IngestOutcome? Counted => null;
    }
}
