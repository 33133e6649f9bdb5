using Lode.Chat.Models;
using Lode.Tests.Support;
using Microsoft.Extensions.AI;

namespace Lode.Tests.LanguageModels;

/// <summary>The OpenAI-compatible provider's admission limits and circuit breaker, against a loopback server.</summary>
public sealed class OpenAiAdmissionTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private static readonly List<ChatMessage> Question = [new(ChatRole.User, "When does the harbour open?")];

    private static LlmOptions Options(FakeOpenAiServer server, Action<LlmOptions> configure)
    {
        var options = new LlmOptions
        {
            Provider = LlmProviders.OpenAi,
            Endpoint = server.BaseUrl,
            Model = "tiny-server-model",
            ContextSize = 8192,
            MaxOutputTokens = 64,
            RequestTimeoutSeconds = 30,
        };
        configure(options);
        return options;
    }

    [Fact]
    public async Task Beyond_the_concurrency_limit_requests_queue_and_beyond_the_queue_they_are_refused_without_reaching_the_server()
    {
        await using var server = new FakeOpenAiServer { Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        using var model = new OpenAiCompatibleLanguageModel(Options(server, o =>
        {
            o.MaxConcurrentRequests = 1;
            o.MaxQueuedRequests = 1;
            o.QueueTimeoutSeconds = 30;
        }));
        var status = () => ((ILanguageModelDiagnostics)model).GetStatus();

        var first = model.Client.GetResponseAsync(Question);
        await Eventually(() => server.Requests.Count == 1);
        var second = model.Client.GetResponseAsync(Question);
        await Eventually(() => status().QueuedRequests == 1);

        var busy = await Assert.ThrowsAsync<ModelBusyException>(() => model.Client.GetResponseAsync(Question));
        Assert.InRange(busy.RetryAfter, TimeSpan.FromSeconds(1), Generous);
        Assert.Single(server.Requests); // neither the queued nor the refused one reached the server
        Assert.Equal(1, status().BusySequences);
        Assert.Equal(1, status().MaxConcurrentSequences);

        server.Hold.SetResult();
        Assert.Equal(FakeOpenAiServer.Answer, (await first.WaitAsync(Generous)).Text);
        Assert.Equal(FakeOpenAiServer.Answer, (await second.WaitAsync(Generous)).Text);
        Assert.Equal(0, status().BusySequences);
        Assert.Equal(0, status().QueuedRequests);
    }

    [Fact]
    public async Task A_failing_server_opens_the_breaker_callers_are_refused_at_once_and_it_closes_after_the_break()
    {
        await using var server = new FakeOpenAiServer { FailWithStatus = 500 };
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var model = new OpenAiCompatibleLanguageModel(Options(server, o =>
        {
            o.BreakerMinimumRequests = 2;
            o.BreakerFailureRatio = 0.5;
            o.BreakerBreakSeconds = 20;
        }), timeProvider: clock);

        for (var i = 0; i < 2; i++)
        {
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => model.Client.GetResponseAsync(Question));
            Assert.IsNotType<ModelBusyException>(failure);
        }

        var seen = server.Requests.Count;
        var open = await Assert.ThrowsAsync<ModelBusyException>(() => model.Client.GetResponseAsync(Question));
        var openStreaming = await Assert.ThrowsAsync<ModelBusyException>(async () =>
        {
            await foreach (var _ in model.Client.GetStreamingResponseAsync(Question))
            {
            }
        });
        Assert.InRange(open.RetryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20));
        Assert.InRange(openStreaming.RetryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20));
        Assert.Equal(seen, server.Requests.Count); // refused without a request to the dead server

        server.FailWithStatus = null;
        clock.Advance(TimeSpan.FromSeconds(21));
        Assert.Equal(FakeOpenAiServer.Answer, (await model.Client.GetResponseAsync(Question)).Text);
        Assert.Equal(FakeOpenAiServer.Answer, (await model.Client.GetResponseAsync(Question)).Text);
    }

    [Fact]
    public async Task Streams_that_die_midway_end_in_an_error_open_the_breaker_and_after_the_break_a_streamed_probe_closes_it()
    {
        await using var server = new FakeOpenAiServer { CutStreamAfterPieces = 2 };
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var model = new OpenAiCompatibleLanguageModel(Options(server, o =>
        {
            o.BreakerMinimumRequests = 2;
            o.BreakerFailureRatio = 0.5;
            o.BreakerBreakSeconds = 20;
        }), timeProvider: clock);

        for (var i = 0; i < 2; i++)
        {
            var received = new List<string>();
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => StreamAsync(model, received));
            Assert.IsNotType<ModelBusyException>(failure);
            // What came before the cut, then the error: never a short answer that looks complete.
            Assert.Equal("The harbour", string.Concat(received));
        }

        var seen = server.Requests.Count;
        var open = await Assert.ThrowsAsync<ModelBusyException>(() => StreamAsync(model, []));
        Assert.InRange(open.RetryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20));
        Assert.Equal(seen, server.Requests.Count); // refused without a request to the failing server

        server.CutStreamAfterPieces = null;
        clock.Advance(TimeSpan.FromSeconds(21));
        var probe = new List<string>();
        await StreamAsync(model, probe);
        Assert.Equal(FakeOpenAiServer.Answer, string.Concat(probe));
        Assert.Equal(seen + 1, server.Requests.Count);
        Assert.Equal(FakeOpenAiServer.Answer, (await model.Client.GetResponseAsync(Question)).Text); // closed again
    }

    [Fact]
    public async Task A_stream_that_dies_while_the_breaker_is_half_open_opens_it_again()
    {
        await using var server = new FakeOpenAiServer { CutStreamAfterPieces = 1 };
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var model = new OpenAiCompatibleLanguageModel(Options(server, o =>
        {
            o.BreakerMinimumRequests = 2;
            o.BreakerFailureRatio = 0.5;
            o.BreakerBreakSeconds = 20;
        }), timeProvider: clock);
        for (var i = 0; i < 2; i++) await Assert.ThrowsAnyAsync<Exception>(() => StreamAsync(model, []));
        await Assert.ThrowsAsync<ModelBusyException>(() => StreamAsync(model, []));

        clock.Advance(TimeSpan.FromSeconds(21));
        var probeFailure = await Assert.ThrowsAnyAsync<Exception>(() => StreamAsync(model, []));
        Assert.IsNotType<ModelBusyException>(probeFailure); // the probe reached the server and died there
        var seen = server.Requests.Count;

        await Assert.ThrowsAsync<ModelBusyException>(() => StreamAsync(model, []));
        Assert.Equal(seen, server.Requests.Count);
    }

    [Fact]
    public async Task Callers_who_stop_reading_or_cancel_their_streams_do_not_open_the_breaker()
    {
        await using var server = new FakeOpenAiServer();
        using var model = new OpenAiCompatibleLanguageModel(Options(server, o =>
        {
            o.BreakerMinimumRequests = 2;
            o.BreakerFailureRatio = 0.5;
        }));

        for (var i = 0; i < 2; i++)
        {
            await foreach (var _ in model.Client.GetStreamingResponseAsync(Question))
            {
                break; // the caller has seen enough: the server did nothing wrong
            }

            using var leave = new CancellationTokenSource();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (var _ in model.Client.GetStreamingResponseAsync(Question, cancellationToken: leave.Token))
                {
                    await leave.CancelAsync(); // the caller hung up
                }
            });
        }

        var seen = server.Requests.Count;
        Assert.Equal(FakeOpenAiServer.Answer, (await model.Client.GetResponseAsync(Question)).Text);
        Assert.Equal(seen + 1, server.Requests.Count);
    }

    private static async Task StreamAsync(OpenAiCompatibleLanguageModel model, List<string> received)
    {
        await foreach (var update in model.Client.GetStreamingResponseAsync(Question))
        {
            received.Add(update.Text);
        }
    }

    [Fact]
    public async Task A_busy_server_does_not_open_the_breaker()
    {
        await using var server = new FakeOpenAiServer { BusyRetryAfterSeconds = 3 };
        using var model = new OpenAiCompatibleLanguageModel(Options(server, o => o.BreakerMinimumRequests = 2));

        for (var i = 0; i < 4; i++)
        {
            var busy = await Assert.ThrowsAsync<ModelBusyException>(() => model.Client.GetResponseAsync(Question));
            Assert.Equal(TimeSpan.FromSeconds(3), busy.RetryAfter); // the server's own answer, every time
        }

        Assert.Equal(4, server.Requests.Count);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(10);
        }
    }
}
