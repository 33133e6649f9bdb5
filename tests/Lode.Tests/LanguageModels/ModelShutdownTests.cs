using Lode.Chat.Models;
using Microsoft.Extensions.AI;

namespace Lode.Tests.LanguageModels;

/// <summary>
/// Disposing the in-process model (the app stopping) while answers stream, cancel, queue and prompts are tokenized:
/// every caller ends (answer, cancellation, or <see cref="ObjectDisposedException"/>), none hangs, and no native call
/// touches a freed llama.cpp context or model (that would kill the process, not fail the test).
/// </summary>
[Collection(TinyLlamaCollection.Name)]
public sealed class ModelShutdownTests(TinyLlamaFixture tiny)
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Disposing_the_model_mid_answer_ends_every_caller_and_refuses_later_use(bool batched)
    {
        for (var round = 0; round < Rounds; round++)
        {
            await DisposeWhileBusyAsync(batched, round);
        }
    }

    private static int Rounds => int.TryParse(Environment.GetEnvironmentVariable("LODE_SHUTDOWN_ROUNDS"), out var n) ? n : 4;

    private async Task DisposeWhileBusyAsync(bool batched, int round)
    {
        var model = new LlamaSharpLanguageModel(tiny.Options(o =>
        {
            o.BatchedDecoding = batched;
            o.MaxConcurrentSequences = 3;
            o.MaxQueuedRequests = 8;
            o.QueueTimeoutSeconds = 120;
            o.ContextSize = batched ? 1024 : 256;
            o.MaxOutputTokens = 100;
        }));
        var started = 0;
        using var stop = new CancellationTokenSource();

        // Callers: more than the sequences (the rest queue); every third cancels after its first pieces.
        var callers = Enumerable.Range(0, 7).Select(i => Task.Run(async () =>
        {
            using var cancellation = new CancellationTokenSource();
            var pieces = 0;
            await foreach (var update in model.Client.GetStreamingResponseAsync(
                               TinyLlamaFixture.Question($"question {i} of round {round}"), new ChatOptions { Seed = i }, cancellation.Token))
            {
                if (update.Text.Length > 0 && ++pieces == 1)
                {
                    Interlocked.Increment(ref started);
                }

                if (i % 3 == 0 && pieces == 2 + round % 3)
                {
                    await cancellation.CancelAsync();
                }
            }
        })).ToArray();

        // Prompts tokenized on other threads right up to (and past) the dispose.
        var tokenizers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                model.TokenizePromptWithPrefix(TinyLlamaFixture.Question("what is the harbour policy of the report, in full?"));
                model.CountTokens("hello world, the harbour policy");
            }
        })).ToArray();

        var deadline = DateTime.UtcNow + Generous;
        while (Volatile.Read(ref started) < 2 && callers.All(c => !c.IsCompleted))
        {
            Assert.True(DateTime.UtcNow < deadline, "no answer started");
            await Task.Delay(5);
        }

        await Task.Run(model.Dispose).WaitAsync(Generous);
        await stop.CancelAsync();

        foreach (var caller in callers)
        {
            var ended = await Record.ExceptionAsync(() => caller.WaitAsync(Generous));
            Assert.False(ended is TimeoutException, $"a caller still waits {Generous} after the model was disposed (round {round})");
            Assert.True(ended is null or OperationCanceledException or ObjectDisposedException,
                $"a caller ended with {ended} (round {round})");
        }

        foreach (var tokenizer in tokenizers)
        {
            var ended = await Record.ExceptionAsync(() => tokenizer.WaitAsync(Generous));
            Assert.True(ended is null or ObjectDisposedException, $"tokenizing ended with {ended} (round {round})");
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(() => model.Client.GetResponseAsync(TinyLlamaFixture.Question()));
        Assert.Throws<ObjectDisposedException>(() => model.CountTokens("hello"));
    }
}
