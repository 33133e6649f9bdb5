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
        IOException => true, // the connection dropped while the body was read (a stream cut mid-answer)
        ModelStreamFailedException => true,
        OperationCanceledException => !callerToken.IsCancellationRequested, // the request timed out; the caller did not leave
        _ => false,
    };

    /// <summary>
    /// One request through the breaker that lasts until its caller reports how it ended, so that a streamed answer
    /// counts once, with the outcome of the whole stream rather than of its first chunk: a server that dies after
    /// answering "200 OK" is a failure. While the breaker is half-open, the trial is the whole stream.
    /// </summary>
    internal sealed class Call : IAsyncDisposable
    {
        private readonly TaskCompletionSource _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Task _execution = Task.CompletedTask;

        private Call()
        {
        }

        /// <summary>Enters the breaker; throws <see cref="BrokenCircuitException"/> while it refuses requests.</summary>
        public static async Task<Call> EnterAsync(ResiliencePipeline breaker, CancellationToken cancellationToken)
        {
            var call = new Call();
            var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            call._execution = breaker.ExecuteAsync(
                async _ =>
                {
                    entered.TrySetResult();
                    await call._outcome.Task.ConfigureAwait(false); // the caller's outcome is the execution's
                },
                cancellationToken).AsTask();
            if (await Task.WhenAny(entered.Task, call._execution).ConfigureAwait(false) != entered.Task)
            {
                await call._execution.ConfigureAwait(false); // refused before it started: throws why
            }

            return call;
        }

        public void Succeeded() => _outcome.TrySetResult();

        /// <summary>The request failed with <paramref name="error"/>; the breaker decides whether that is the server's fault.</summary>
        public void Failed(Exception error) => _outcome.TrySetException(error);

        /// <summary>Ends the call; one not reported failed succeeded (a caller that stopped reading early is no server failure).</summary>
        public async ValueTask DisposeAsync()
        {
            _outcome.TrySetResult();
            try
            {
                await _execution.ConfigureAwait(false);
            }
            catch (Exception) when (_outcome.Task.IsFaulted)
            {
                // The stream's own failure, rethrown by the breaker after counting it: its caller has it already.
            }
        }
    }
}
