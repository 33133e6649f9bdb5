using System.Collections.Concurrent;
using Lode.Chat.Models;
using Lode.Chat.Models.Batching;
using Microsoft.Extensions.AI;

namespace Lode.Tests.LanguageModels;

/// <summary>Continuous batching in one llama.cpp context, with the tiny random-weight GGUF (real llama.cpp, CPU).</summary>
[Collection(TinyLlamaCollection.Name)]
public sealed class BatchedDecodingTests(TinyLlamaFixture tiny)
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private static readonly string[] Questions =
    [
        "what is the harbour policy?", "who wrote the report?", "how many people can come?", "find the source page",
    ];

    private LlmOptions Batched(Action<LlmOptions>? configure = null) => tiny.Options(o =>
    {
        o.MaxConcurrentSequences = 4;
        o.ContextSize = 1024; // the cache all sequences share; one answer's window stays the trained 256
        o.MaxOutputTokens = 20;
        configure?.Invoke(o);
    });

    [Fact]
    public async Task Interleaved_streams_are_each_identical_to_the_same_request_served_alone_and_to_the_per_context_path()
    {
        using var model = new LlamaSharpLanguageModel(Batched());
        using var perContext = new LlamaSharpLanguageModel(Batched(o => o.BatchedDecoding = false));
        var options = Questions.Select((_, i) => new ChatOptions { Seed = 100 + i }).ToArray();

        var alone = new List<string>();
        for (var i = 0; i < Questions.Length; i++)
        {
            alone.Add(await Collect(model, Questions[i], options[i]));
        }

        var steps = new ConcurrentQueue<BatchStep>();
        using var gate = new FirstStepGate(model.Batched!, steps);
        var together = Questions.Select((q, i) => Task.Run(() => Collect(model, q, options[i]))).ToArray();
        await gate.ReleaseWhen(() => model.GetStatus().BusySequences == Questions.Length);
        var interleaved = await Task.WhenAll(together).WaitAsync(Generous);

        Assert.All(alone, text => Assert.False(string.IsNullOrEmpty(text)));
        Assert.Equal(alone, interleaved);
        Assert.Contains(steps, s => s.Decoded >= 2); // they really shared steps
        for (var i = 0; i < Questions.Length; i++)
        {
            Assert.Equal(alone[i], await Collect(perContext, Questions[i], options[i]));
        }
    }

    [Fact]
    public async Task A_cancelled_sequence_frees_its_cache_cells_and_the_others_continue()
    {
        using var model = new LlamaSharpLanguageModel(Batched(o => o.MaxOutputTokens = 60));
        var engine = model.Batched!;
        var options = new ChatOptions { Seed = 7 };
        var alone = await Collect(model, Questions[1], options);
        var idle = engine.Budget.Used; // the shared system prompt stays for the next request

        var steps = new ConcurrentQueue<BatchStep>();
        using var gate = new FirstStepGate(engine, steps);
        using var cancellation = new CancellationTokenSource();
        var cancelled = Task.Run(async () =>
        {
            var received = 0;
            await foreach (var update in model.Client.GetStreamingResponseAsync(TinyLlamaFixture.Question(Questions[0]), cancellationToken: cancellation.Token))
            {
                if (update.Text.Length > 0 && ++received == 2)
                {
                    await cancellation.CancelAsync();
                }
            }
        });
        var survivor = Task.Run(() => Collect(model, Questions[1], options));
        await gate.ReleaseWhen(() => model.GetStatus().BusySequences == 2);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Generous));
        Assert.Equal(alone, await survivor.WaitAsync(Generous));
        await Eventually(() => model.GetStatus().BusySequences == 0 && engine.Budget.Used == idle);
    }

    [Fact]
    public async Task A_paused_reader_keeps_its_cells_until_it_is_cancelled_then_they_are_freed()
    {
        using var model = new LlamaSharpLanguageModel(Batched(o => o.MaxOutputTokens = 60));
        var engine = model.Batched!;
        await Collect(model, Questions[0], new ChatOptions());
        var idle = engine.Budget.Used;

        await using (var paused = model.Client.GetStreamingResponseAsync(TinyLlamaFixture.Question(Questions[2])).GetAsyncEnumerator())
        {
            Assert.True(await paused.MoveNextAsync());
            Assert.True(engine.Budget.Used > idle);
            Assert.Equal(1, model.GetStatus().BusySequences);
        }

        await Eventually(() => model.GetStatus().BusySequences == 0 && engine.Budget.Used == idle);
    }

    [Fact]
    public async Task The_shared_system_prompt_is_evaluated_once_for_all_requests()
    {
        using var model = new LlamaSharpLanguageModel(Batched());
        var engine = model.Batched!;
        var prompts = Questions.Take(3).Select(q => model.TokenizePromptWithPrefix(TinyLlamaFixture.Question(q))).ToArray();
        var prefix = prompts[0].SharedPrefixLength;
        Assert.True(prefix > 0, "the system message should be a shareable prefix");
        Assert.All(prompts, p => Assert.Equal(prefix, p.SharedPrefixLength));

        var steps = new ConcurrentQueue<BatchStep>();
        using (var gate = new FirstStepGate(engine, steps))
        {
            var answers = Questions.Take(3).Select(q => Task.Run(() => Collect(model, q, new ChatOptions()))).ToArray();
            await gate.ReleaseWhen(() => model.GetStatus().BusySequences == 3);
            await Task.WhenAll(answers).WaitAsync(Generous);
        }

        Assert.Equal(prefix, engine.PrefixTokensEvaluated);
        Assert.Equal(prefix + prompts.Sum(p => p.Tokens.Length - prefix), engine.PrefillTokens);

        // A later request with the same system prompt forks the cached prefix too.
        var fourth = model.TokenizePromptWithPrefix(TinyLlamaFixture.Question(Questions[3]));
        await Collect(model, Questions[3], new ChatOptions());
        Assert.Equal(prefix, engine.PrefixTokensEvaluated);
        Assert.Equal(prefix + prompts.Sum(p => p.Tokens.Length - prefix) + fourth.Tokens.Length - prefix, engine.PrefillTokens);
    }

    [Fact]
    public async Task A_long_prompt_is_fed_in_chunks_beside_the_running_answers_tokens()
    {
        const int stepTokens = 16;
        using var model = new LlamaSharpLanguageModel(Batched(o =>
        {
            o.BatchSize = stepTokens;
            o.MaxOutputTokens = 40;
        }));
        var engine = model.Batched!;
        var longQuestion = string.Join(' ', Enumerable.Repeat("what is the harbour policy of the report", 12));
        var longPrompt = model.TokenizePrompt(TinyLlamaFixture.Question(longQuestion)).Length;
        Assert.True(longPrompt > 4 * stepTokens, $"prompt of {longPrompt} tokens is too short to need chunks");

        var steps = new ConcurrentQueue<BatchStep>();
        using var gate = new FirstStepGate(engine, steps, holdAfter: s => s.Decoded == 1); // the running answer's first decode
        var running = Task.Run(() => Collect(model, Questions[0], new ChatOptions()));
        await gate.WaitForFirstStep();
        var arriving = Task.Run(() => Collect(model, longQuestion, new ChatOptions { MaxOutputTokens = 4 }));
        await gate.ReleaseWhen(() => model.GetStatus().BusySequences == 2);
        await Task.WhenAll(running, arriving).WaitAsync(Generous);

        Assert.All(steps, s => Assert.InRange(s.Decoded + s.Prefilled, 1, stepTokens));
        // The step right after the long prompt arrived carried the running answer's token and a prompt chunk.
        var afterArrival = steps.ElementAt(gate.HeldAt + 1);
        Assert.Equal(1, afterArrival.Decoded);
        Assert.Equal(stepTokens - 1, afterArrival.Prefilled);
    }

    private static async Task<string> Collect(LlamaSharpLanguageModel model, string question, ChatOptions options)
    {
        var response = await model.Client.GetResponseAsync(TinyLlamaFixture.Question(question), options.Clone());
        return response.Text;
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

    /// <summary>
    /// Holds the decoder after its first step until the test has made every request arrive, so "they ran together"
    /// does not depend on thread timing; records every step.
    /// </summary>
    private sealed class FirstStepGate : IDisposable
    {
        private readonly BatchedEngine _engine;
        private readonly ManualResetEventSlim _released = new(false);
        private readonly TaskCompletionSource _firstStep = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _seen;

        /// <summary>Index (in the recorded steps) of the step the decoder was held after.</summary>
        public int HeldAt { get; private set; }

        /// <param name="holdAfter">The step to hold after: the first one it accepts (default: the very first step).</param>
        public FirstStepGate(BatchedEngine engine, ConcurrentQueue<BatchStep> steps, Func<BatchStep, bool>? holdAfter = null)
        {
            _engine = engine;
            holdAfter ??= _ => true;
            engine.StepObserved = step =>
            {
                steps.Enqueue(step);
                if (_seen == 0 && holdAfter(step))
                {
                    _seen = 1;
                    HeldAt = steps.Count - 1;
                    _firstStep.TrySetResult();
                    _released.Wait(Generous);
                }
            };
        }

        public Task WaitForFirstStep() => _firstStep.Task.WaitAsync(Generous);

        public async Task ReleaseWhen(Func<bool> condition)
        {
            await WaitForFirstStep();
            await Eventually(condition);
            _released.Set();
        }

        public void Dispose()
        {
            _released.Set();
            _engine.StepObserved = null;
        }
    }
}
