using System.ComponentModel.DataAnnotations;

namespace Lode.Ingestion.Operations;

/// <summary>Configuration section <c>Reindex</c>: how POST api/reindex lists a bucket.</summary>
public sealed class ReindexOptions
{
    public const string SectionName = "Reindex";

    /// <summary>Objects listed and enqueued per transaction; a listing resumes after the last whole page recorded.</summary>
    [Range(1, 10_000)]
    public int PageSize { get; set; } = 1000;

    /// <summary>
    /// How often an instance looks for runs whose listing nobody is doing: runs requested on an instance that does not
    /// list (Ingestion:WorkerEnabled=false), and runs whose instance died or could not reach the store.
    /// </summary>
    [Range(0.1, 86_400)]
    public double ResumeSeconds { get; set; } = 30;
}
