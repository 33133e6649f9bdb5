namespace Lode.Database;

/// <summary>The job's lease expired and another worker took it; this worker's result must be thrown away.</summary>
public sealed class LeaseLostException(long jobId)
    : Exception($"The lease on ingest job {jobId} was lost to another worker; its result was discarded.");
