using System.ClientModel;
using Polly;
using Polly.CircuitBreaker;

namespace Lode.Chat.Models;

/// <summary>
/// The circuit breaker in front of the on-premises OpenAI-compatible server (Polly): when the server keeps failing
/// (connection refused, timeouts, 5xx), callers are refused at once with <see cref="ModelBusyException"/> and a
/// Retry-After instead of each waiting out a timeout against a dead server and holding an admission place.
/// "Busy" answers (429, 503) are not failures: the server is up and says when to come back.
/// </summary>
internal static class ServerCircuitBreaker
{
    public static ResiliencePipeline Create(LlmOptions options, TimeProvider? timeProvider = null)
    {
        var builder = new ResiliencePipelineBuilder();
        if (timeProvider is not null)
        {
            builder.TimeProvider = timeProvider;
        }

        return builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = options.BreakerFailureRatio,
            MinimumThroughput = options.BreakerMinimumRequests,
            SamplingDuration = TimeSpan.FromSeconds(options.BreakerSamplingSeconds),
            BreakDuration = TimeSpan.FromSeconds(options.BreakerBreakSeconds),
            ShouldHandle = args => ValueTask.FromResult(IsServerFailure(args.Outcome.Exception, args.Context.CancellationToken)),
        }).Build();
    }

    /// <summary>Open (or half-open and trying): a <see cref="ModelBusyException"/> with the time left.</summary>
    public static ModelBusyException Refusal(BrokenCircuitException open, LlmOptions options)
    {
        var retryAfter = open.RetryAfter ?? TimeSpan.FromSeconds(options.BreakerBreakSeconds);
        return new ModelBusyException(TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds))));
    }

    private static bool IsServerFailure(Exception? exception, CancellationToken callerToken) => exception switch
    {
        null => false,
        ClientResultException e => e.Status is 0 or (>= 500 and not 503), // 0: no response at all
        HttpRequestException => true,
        OperationCanceledException => !callerToken.IsCancellationRequested, // the request timed out; the caller did not leave
        _ => false,
    };
}
