namespace Lode.Database.Generations;

/// <summary>The states of an index generation (<c>index_generations.state</c>).</summary>
public static class GenerationState
{
    /// <summary>Being filled in the background for a new embedding model; searches do not see it yet.</summary>
    public const string Building = "building";

    /// <summary>The one generation searches use.</summary>
    public const string Current = "current";

    /// <summary>Was current; kept up to date (ingestion writes it too) until an admin drops it, so switching back is instant.</summary>
    public const string Previous = "previous";
}

/// <summary>
/// One generation of the index: every document's chunks embedded by one model. Chunks carry their generation; each
/// generation has its own HNSW index (<see cref="GenerationVectorIndex"/>).
/// </summary>
public sealed record IndexGeneration(
    int Id,
    string Model,
    int Dimensions,
    string State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? CurrentSince)
{
    public bool IsCurrent => State == GenerationState.Current;

    public bool IsBuilding => State == GenerationState.Building;
}

/// <summary>
/// How far a generation is: of the <see cref="Documents"/> the current generation holds, <see cref="Done"/> are in this
/// one at the same version (etag); <see cref="Chunks"/> are stored for it.
/// </summary>
public sealed record GenerationProgress(IndexGeneration Generation, long Documents, long Done, long Chunks)
{
    /// <summary>Documents still to be embedded for this generation (0 for the current one).</summary>
    public long ToDo => Documents - Done;
}
