namespace Lode.Database;

/// <summary>
/// The index adopted other access rules after this worker leased the job: its groups were decided by replaced rules,
/// so nothing was written and the job was handed back for a worker running the current rules.
/// </summary>
public sealed class StaleAccessRulesException(long jobId)
    : Exception($"Ingest job {jobId} was handed back: the index follows other access rules than this worker's.");
