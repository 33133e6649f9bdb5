using Lode.Database.Generations;
using Microsoft.Extensions.Logging;

namespace Lode.Ingestion.Generations;

/// <summary>
/// Switches to the building index generation once it is complete (<see cref="GenerationSwitch.CompleteBuildIfDoneAsync"/>).
/// Looked at after every job of a build, at start-up and periodically; a look that fails is only logged: the next
/// one switches (the switch is one transaction, so a failed one changed nothing).
/// </summary>
public sealed class BuildCompletion(GenerationSwitch generations, ILogger<BuildCompletion> logger)
{
    /// <summary>The generation that became current, or null (nothing complete, or the look failed).</summary>
    public async Task<IndexGeneration?> TryCompleteAsync(CancellationToken ct)
    {
        try
        {
            var current = await generations.CompleteBuildIfDoneAsync(ct);
            if (current is not null)
            {
                logger.LogWarning("Index generation {Generation} ({Model}) is complete: searches use it from now on",
                    current.Id, current.Model);
            }
            return current;
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is not OutOfMemoryException)
        {
            logger.LogWarning("Could not switch to the completed index generation; the next look tries again: {Error}", e.Message);
            return null;
        }
    }
}
