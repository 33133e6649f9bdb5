using Lode.Tests.Support;
using Lode.Chat;
using Lode.Chat.Answering;
using Lode.Retrieval;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lode.Tests.Chat;

/// <summary>The chat pipeline's own logic: event order, citations, rewrite, extractive and no-source answers.</summary>
public sealed class ChatServiceTests
{
    private static readonly FixedRetriever Retriever = new(
        FixedRetriever.Chunk("leave.pdf", 3, "Annual leave is 25 days. Requests go to the line manager."),
        FixedRetriever.Chunk("travel.pdf", 7, "Train travel is second class. Flights need approval."),
        FixedRetriever.Chunk("canteen.md", 1, "The canteen opens at eight."));

    private static ChatService Service(IRetriever retriever, ScriptedModel? model = null) =>
        new(retriever, new QueryRewriter(NullLogger<QueryRewriter>.Instance), Options.Create(new ChatSettings()), Options.Create(new RetrievalOptions()), new ChatTelemetry(), model);

    private static ChatRequest Ask(params string[] turns) =>
        new(turns.Select((t, i) => new ChatTurn(i % 2 == 0 ? "user" : "assistant", t)).ToList(), TestReaders.Staff);

    [Fact]
    public async Task Events_come_in_order_and_only_cited_sources_are_returned_as_citations()
    {
        var model = new ScriptedModel(4096, 256, "Leave is 25 days [1] and trains are second class [2].");

        var events = await Service(Retriever, model).StreamAsync(Ask("How many leave days?"), default).ToListAsync();

        var sources = Assert.IsType<SourcesFound>(events[0]);
        Assert.Equal(3, sources.Sources.Count);
        Assert.All(events.Skip(1).Take(events.Count - 2), e => Assert.IsType<TextDelta>(e));
        var done = Assert.IsType<Completed>(events[^1]);
        Assert.Equal(string.Concat(events.OfType<TextDelta>().Select(d => d.Text)), done.Answer);
        Assert.Equal([("leave.pdf", 3), ("travel.pdf", 7)], done.Citations.Select(c => (c.Key, c.Page)));
        Assert.Equal(AnswerMode.Generated, done.Mode);
        Assert.Equal(100, done.Usage.PromptTokens);
    }

    [Fact]
    public async Task Streaming_and_non_streaming_answers_are_the_same()
    {
        var streamed = await Service(Retriever, new ScriptedModel(4096, 256, "Twenty-five days [1].")).StreamAsync(Ask("Leave?"), default).LastAsync();
        var whole = await Service(Retriever, new ScriptedModel(4096, 256, "Twenty-five days [1].")).AnswerAsync(Ask("Leave?"), default);

        Assert.Equal(((Completed)streamed).Answer, whole.Answer);
        Assert.Equal(((Completed)streamed).Citations, whole.Citations);
    }

    [Fact]
    public async Task A_follow_up_is_rewritten_into_a_standalone_query_before_retrieval()
    {
        var retriever = new FixedRetriever(FixedRetriever.Chunk("leave.pdf", 3, "Annual leave is 25 days."));
        var model = new ScriptedModel(4096, 256, "annual leave carry over rules", "You may carry over 5 days [1].");

        await Service(retriever, model).AnswerAsync(Ask("How much leave do I get?", "25 days [1].", "And can I carry it over?"), default);

        Assert.Equal("annual leave carry over rules", retriever.Requests.Single().Query.Trim());
        Assert.Contains(model.Prompts[1][^1].Text, t => t == 'Q'); // the answer prompt still asks the user's own question
        Assert.Contains("And can I carry it over?", model.Prompts[1][^1].Text);
    }

    [Fact]
    public async Task Without_a_model_the_answer_is_extractive_labelled_and_cited()
    {
        var done = await Service(Retriever).AnswerAsync(Ask("How many days of annual leave?"), default);

        Assert.Equal(AnswerMode.Extractive, done.Mode);
        Assert.StartsWith(ExtractiveAnswerer.Label, done.Answer);
        Assert.Contains("Annual leave is 25 days.", done.Answer);
        // The sentences that answer are quoted, from whichever sources hold them: here only the first.
        Assert.Equal([1], done.Citations.Select(c => c.Number));
        Assert.DoesNotContain("canteen", done.Answer);
        Assert.Equal(ChatService.ExtractiveModelName, done.Model);
    }

    [Fact]
    public async Task With_nothing_retrieved_the_model_is_not_asked_and_the_answer_says_so()
    {
        var model = new ScriptedModel(4096, 256, "should not be used");

        var done = await Service(new FixedRetriever(), model).AnswerAsync(Ask("Unknown topic?"), default);

        Assert.Equal(AnswerMode.NoSources, done.Mode);
        Assert.Equal(ChatService.NoSourcesAnswer, done.Answer);
        Assert.Empty(done.Citations);
        Assert.Empty(model.Prompts);
    }

    [Theory]
    [InlineData(new string[0], "missing_question")]
    [InlineData(new[] { "" }, "missing_question")]
    public async Task Conversations_without_a_question_are_refused(string[] turns, string code)
    {
        var error = await Assert.ThrowsAsync<ChatRequestException>(() => Service(Retriever).AnswerAsync(Ask(turns), default));
        Assert.Equal(code, error.Code);
    }

    [Fact]
    public async Task A_conversation_ending_with_an_assistant_turn_is_refused() =>
        Assert.Equal("missing_question", (await Assert.ThrowsAsync<ChatRequestException>(() =>
            Service(Retriever).AnswerAsync(Ask("Q?", "A."), default))).Code);

    [Fact]
    public async Task A_question_the_retriever_would_refuse_is_refused_as_too_long_by_one_limit()
    {
        // Chat:MaxQuestionChars above Retrieval:MaxQueryChars used to let the question through to the retriever (a 500).
        var service = new ChatService(Retriever, new QueryRewriter(NullLogger<QueryRewriter>.Instance),
            Options.Create(new ChatSettings { MaxQuestionChars = 4000 }), Options.Create(new RetrievalOptions { MaxQueryChars = 2000 }),
            new ChatTelemetry());

        var error = await Assert.ThrowsAsync<ChatRequestException>(() => service.AnswerAsync(Ask(new string('q', 2001)), default));
        Assert.Equal("question_too_long", error.Code);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public async Task A_token_limit_of_zero_or_less_is_refused(int maxTokens)
    {
        var request = Ask("How many days of annual leave?") with { MaxOutputTokens = maxTokens };

        var error = await Assert.ThrowsAsync<ChatRequestException>(() => Service(Retriever).AnswerAsync(request, default));
        Assert.Equal("invalid_max_tokens", error.Code);
    }
}
