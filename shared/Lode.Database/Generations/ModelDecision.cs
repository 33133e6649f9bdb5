namespace Lode.Database.Generations;

/// <summary>What start-up did about the configured embedding model.</summary>
public enum ModelDecisionKind
{
    /// <summary>The current generation is the configured model's: nothing to do.</summary>
    AlreadyCurrent,

    /// <summary>A previous generation of the configured model became current at once (nothing is embedded again).</summary>
    SwitchedBack,

    /// <summary>A building generation was created for the configured model and every document queued for it.</summary>
    BuildStarted,

    /// <summary>The configured model's generation is already building (started earlier, or by another instance).</summary>
    BuildUnderway,

    /// <summary>
    /// Another model's generation is building; the configured one waits. A build is never cancelled automatically (during a
    /// rolling update the instances disagree for a while): an admin abandons it, or it completes.
    /// </summary>
    OtherBuildUnderway,
}

/// <summary>The decision, the generation it concerns (now current, or building) and, for a new build, how many documents were queued.</summary>
public sealed record ModelDecision(ModelDecisionKind Kind, IndexGeneration Generation, long Queued = 0);

/// <summary>How a request to drop a generation ended.</summary>
public enum GenerationDropOutcome
{
    Dropped,
    NotFound,

    /// <summary>The current generation cannot be dropped: searches use it.</summary>
    IsCurrent,
}
