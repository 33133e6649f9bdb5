using System.ComponentModel.DataAnnotations;

namespace Lode.Ingestion.Operations;

/// <summary>
/// Configuration section <c>Reconcile</c>. Its schedule, <c>Reconcile:Schedule</c>, is read by the timer trigger
/// (ReconcileTimer) as the Functions host reads trigger settings, not through this class.
/// </summary>
public sealed class ReconcileOptions
{
    public const string SectionName = "Reconcile";

    /// <summary>Objects listed (and documents compared) per query; one page is in memory at a time.</summary>
    [Range(1, 10_000)]
    public int PageSize { get; set; } = 1000;
}
