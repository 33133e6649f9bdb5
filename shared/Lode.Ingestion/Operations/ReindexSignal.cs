using Lode.Ingestion.Queue;

namespace Lode.Ingestion.Operations;

/// <summary>Wakes this process's <see cref="ReindexLister"/>: a run was requested here.</summary>
public sealed class ReindexSignal : WakeUpSignal;
