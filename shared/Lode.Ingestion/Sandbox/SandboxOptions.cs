using System.ComponentModel.DataAnnotations;

namespace Lode.Ingestion.Sandbox;

/// <summary>
/// Configuration section <c>Ingestion:Sandbox</c>: each document is extracted in a child process (Lode.Extractor) under
/// these limits, so that no document can crash, exhaust or pin the app. 0 for a time means "derive it from
/// <see cref="IngestionOptions.ExtractionTimeoutSeconds"/>".
/// </summary>
public sealed class SandboxOptions
{
    public const string SectionName = "Ingestion:Sandbox";

    /// <summary>Extract in a child process. Off: in the app's own process, as before (a hostile document can then pin a worker).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Wall-clock seconds one document may take before its child is killed; 0 = ExtractionTimeoutSeconds.</summary>
    [Range(0, 86_400)]
    public int WallSeconds { get; set; }

    /// <summary>CPU seconds one document may use (RLIMIT_CPU, set per document); 0 = ExtractionTimeoutSeconds.</summary>
    [Range(0, 86_400)]
    public int CpuSeconds { get; set; }

    /// <summary>
    /// Address space of a child (RLIMIT_AS). The .NET runtime reserves much of it before any document is read: under
    /// 2 GB half the starts aborted here ("Out of memory.", exit 134), at 3 and 4 GB none of 20 did.
    /// </summary>
    [Range(3_072, 1_048_576)]
    public int AddressSpaceMegabytes { get; set; } = 4_096;

    /// <summary>Largest answer read from a child; past it the child is killed and the document fails.</summary>
    [Range(1, 2_047)]
    public int MaxOutputMegabytes { get; set; } = 256;

    /// <summary>Children kept running between documents, so start-up is paid once rather than per document.</summary>
    [Range(0, 64)]
    public int WarmChildren { get; set; } = 2;

    /// <summary>Documents one child extracts before it is replaced (1 = a fresh process for every document).</summary>
    [Range(1, 10_000)]
    public int DocumentsPerChild { get; set; } = 50;

    /// <summary>
    /// Test-only: makes children misbehave (see Lode.Extractor's TestFault). Internal, so configuration cannot bind it
    /// and no document or setting reaches it; only the tests assembly sets it.
    /// </summary>
    internal string? TestFault { get; set; }
}
