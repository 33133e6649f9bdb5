namespace Lode.Ingestion.Queue;

/// <summary>
/// A notification's jobs were not committed, through no fault of the notification: the commit did not finish within
/// <see cref="Events.IntakeOptions.MaxWaitSeconds"/> (the database slow, locked or away) or intake is shutting down.
/// Nothing was acknowledged; the sender should deliver it again after <see cref="RetryAfter"/>.
/// </summary>
public sealed class IntakeUnavailableException(string message, TimeSpan retryAfter, Exception? inner = null) : Exception(message, inner)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
