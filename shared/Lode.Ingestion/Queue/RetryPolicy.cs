namespace Lode.Ingestion.Queue;

/// <summary>Exponential backoff with jitter, so many documents failing together (the store went away) do not retry in lockstep.</summary>
public static class RetryPolicy
{
    public static TimeSpan Delay(int attempt, IngestionOptions options, double jitter01)
    {
        var exponential = options.RetryBaseSeconds * Math.Pow(2, Math.Max(0, attempt - 1));
        var capped = Math.Min(exponential, options.RetryMaxSeconds);
        // +-20 % jitter keeps the mean and spreads the herd.
        return TimeSpan.FromSeconds(capped * (0.8 + 0.4 * jitter01));
    }
}
