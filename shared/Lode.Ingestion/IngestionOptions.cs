using System.ComponentModel.DataAnnotations;
using Lode.Ingestion.Events;

namespace Lode.Ingestion;

/// <summary>Configuration section <c>Ingestion</c>.</summary>
public sealed class IngestionOptions : IValidatableObject
{
    public const string SectionName = "Ingestion";

    /// <summary>Buckets Lode indexes. Notifications for other buckets are acknowledged and ignored. Empty: any bucket.</summary>
    public List<string> Buckets { get; set; } = [];

    /// <summary>Run the queue worker in this process. Turn off on instances that should only serve chat.</summary>
    public bool WorkerEnabled { get; set; } = true;

    /// <summary>Documents processed at once by this process.</summary>
    [Range(1, 64)]
    public int MaxConcurrency { get; set; } = 2;

    /// <summary>How long a job stays leased without a heartbeat before another worker may take it.</summary>
    [Range(5, 86_400)]
    public int LeaseSeconds { get; set; } = 120;

    /// <summary>Attempts before a document that keeps failing (for a transient reason) is marked failed.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>First retry delay; doubled on each attempt up to <see cref="RetryMaxSeconds"/>.</summary>
    [Range(0, 86_400)]
    public double RetryBaseSeconds { get; set; } = 5;

    [Range(0, 86_400)]
    public double RetryMaxSeconds { get; set; } = 600;

    /// <summary>How often an idle worker looks for new jobs.</summary>
    [Range(0.05, 3_600)]
    public double PollSeconds { get; set; } = 1;

    /// <summary>Wall-clock limit for extracting one document (PDF bombs); the document ends failed (timed out).</summary>
    [Range(1, 86_400)]
    public int ExtractionTimeoutSeconds { get; set; } = 300;

    [Range(1, 1_000_000)]
    public int MaxPages { get; set; } = 5_000;

    /// <summary>Limit on the unpacked size of zipped formats (DOCX zip bombs).</summary>
    [Range(1, long.MaxValue)]
    public long MaxDecompressedBytes { get; set; } = 512L << 20;

    [Range(1, long.MaxValue)]
    public long MaxTextChars { get; set; } = 50_000_000;

    /// <summary>Webhook intake (group commit); section <c>Ingestion:Intake</c>.</summary>
    public IntakeOptions Intake { get; set; } = new();

    // Data annotations do not descend into nested objects; the start-up validation of this section covers Intake too.
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(Intake, new ValidationContext(Intake), results, validateAllProperties: true);
        return results.Select(r => new ValidationResult($"Ingestion:Intake: {r.ErrorMessage}", r.MemberNames.Select(m => $"Intake.{m}")));
    }
}
