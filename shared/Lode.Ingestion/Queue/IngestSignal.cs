namespace Lode.Ingestion.Queue;

/// <summary>Wakes this process's idle ingest worker: jobs were enqueued here, or a job finished.</summary>
public sealed class IngestSignal : WakeUpSignal;
