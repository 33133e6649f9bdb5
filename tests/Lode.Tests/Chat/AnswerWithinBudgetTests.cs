using Lode.Chat;
using Lode.Chat.Answering;
using Lode.Retrieval;
using Lode.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lode.Tests.Chat;

/// <summary>
/// ChatService.AnswerWithinAsync: the model's answer when it is done in time; otherwise its generation is cancelled
/// and the answer quotes the same retrieved sources, labelled with the reason.
/// </summary>
public sealed class AnswerWithinBudgetTests
{
    private static readonly TimeSpan Plenty = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(50);

    private readonly FixedRetriever _retriever = new(
        FixedRetriever.Chunk("leave.pdf", 3, "Annual leave is 25 days. Requests go to the line manager."),
        FixedRetriever.Chunk("travel.pdf", 7, "Train travel is second class. Flights need approval."));

    private ChatService Service(Lode.Chat.Models.ILanguageModel? model, IRetriever? retriever = null) =>
        new(retriever ?? _retriever, new QueryRewriter(NullLogger<QueryRewriter>.Instance), Options.Create(new ChatSettings()), Options.Create(new RetrievalOptions()), new ChatTelemetry(), model);

    private static ChatRequest Ask(string question) => new([new ChatTurn("user", question)], TestReaders.Staff);

    [Fact]
    public async Task A_model_that_finishes_in_time_gives_its_own_answer()
    {
        var done = await Service(new ScriptedModel(4096, 256, "Leave is 25 days [1].")).AnswerWithinAsync(Ask("How many leave days?"), Plenty, default);

        Assert.Equal(AnswerMode.Generated, done.Mode);
        Assert.Equal("stop", done.FinishReason);
        Assert.Equal("Leave is 25 days [1].", done.Answer.Trim());
        Assert.Equal(["leave.pdf"], done.Citations.Select(c => c.Key));
    }

    [Fact]
    public async Task A_model_that_does_not_finish_in_time_is_cancelled_and_the_retrieved_sources_are_quoted_instead()
    {
        var model = StalledModel.NeverFinishing();

        var done = await Service(model).AnswerWithinAsync(Ask("How many days of annual leave?"), Short, default);

        Assert.True(model.GenerationCancelled);
        Assert.Equal(AnswerMode.Extractive, done.Mode);
        Assert.Equal(ChatService.ModelTooSlowFinish, done.FinishReason);
        Assert.Equal(ChatService.ExtractiveModelName, done.Model);
        Assert.StartsWith(ExtractiveAnswerer.TooSlowLabel, done.Answer);
        Assert.Contains("Annual leave is 25 days.", done.Answer);
        // Only the passage that answers is quoted (and so cited); the travel rules share no word with the question.
        Assert.Equal(["leave.pdf"], done.Citations.Select(c => c.Key));
        Assert.Single(_retriever.Requests); // retrieval ran once, for the model and the fallback alike
    }

    [Fact]
    public async Task A_busy_model_gets_the_quoted_sources_labelled_as_busy()
    {
        var model = StalledModel.AlwaysBusy();

        var done = await Service(model).AnswerWithinAsync(Ask("How many days of annual leave?"), Plenty, default);

        Assert.Equal(1, model.Requests);
        Assert.Equal(ChatService.ModelBusyFinish, done.FinishReason);
        Assert.StartsWith(ExtractiveAnswerer.BusyLabel, done.Answer);
        Assert.Contains("Annual leave is 25 days.", done.Answer);
    }

    [Fact]
    public async Task A_caller_that_gives_up_is_not_answered_with_a_fallback()
    {
        var model = StalledModel.NeverFinishing();
        using var callerGone = new CancellationTokenSource(Short);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Service(model).AnswerWithinAsync(Ask("How many days of annual leave?"), Plenty, callerGone.Token));
        Assert.True(model.GenerationCancelled);
    }

    [Fact]
    public async Task Without_a_model_the_answer_is_the_usual_extractive_one()
    {
        var done = await Service(null).AnswerWithinAsync(Ask("How many days of annual leave?"), Short, default);

        Assert.Equal(AnswerMode.Extractive, done.Mode);
        Assert.Equal("stop", done.FinishReason);
        Assert.StartsWith(ExtractiveAnswerer.Label, done.Answer);
    }

    [Fact]
    public async Task With_nothing_retrieved_the_model_is_not_asked()
    {
        var model = StalledModel.NeverFinishing();

        var done = await Service(model, new FixedRetriever()).AnswerWithinAsync(Ask("Unknown topic?"), Plenty, default);

        Assert.Equal(AnswerMode.NoSources, done.Mode);
        Assert.Equal(0, model.Requests);
    }
}
