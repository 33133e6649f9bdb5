using System.Runtime.CompilerServices;
using System.Text;
using Lode.Chat.Answering;
using Lode.Chat.Models;
using Lode.Chat.Prompting;
using Lode.Retrieval;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Lode.Chat;

/// <summary>
/// Answers a conversation from the documents: (rewrite a follow-up) → retrieve → prompt with numbered sources →
/// the model (or an extractive answer without one) → the citations the answer actually used. Streaming and
/// non-streaming answers are the same code path.
/// </summary>
public sealed class ChatService(
    IRetriever retriever,
    QueryRewriter rewriter,
    IOptions<ChatSettings> settings,
    IOptions<RetrievalOptions> retrievalOptions,
    ChatTelemetry telemetry,
    ILanguageModel? model = null)
{
    public const string NoSourcesAnswer = "The indexed documents do not contain anything that answers this question.";
    public const string ExtractiveModelName = "lode-extractive";

    /// <summary><see cref="Completed.FinishReason"/> of an extractive answer given because the model ran out of time.</summary>
    public const string ModelTooSlowFinish = "model_too_slow";

    /// <summary><see cref="Completed.FinishReason"/> of an extractive answer given because the model was busy.</summary>
    public const string ModelBusyFinish = "model_busy";

    private readonly ChatSettings _settings = settings.Value;

    // One limit: a question the retriever would refuse as a query is refused here, as the caller's mistake (400),
    // instead of failing inside retrieval (500).
    private readonly int _maxQuestionChars = Math.Min(settings.Value.MaxQuestionChars, retrievalOptions.Value.MaxQueryChars);
    private readonly PromptBuilder _prompts = new(settings.Value.TemplateTokensPerMessage);

    /// <summary>The model answers are attributed to: the LLM's id, or the extractive answerer.</summary>
    public string ModelName => model?.ModelId ?? ExtractiveModelName;

    public async Task<Completed> AnswerAsync(ChatRequest request, CancellationToken ct)
    {
        Completed? completed = null;
        await foreach (var chatEvent in StreamAsync(request, ct))
        {
            if (chatEvent is Completed done) completed = done;
        }
        return completed!;
    }

    /// <summary>
    /// The answer as events. Nothing is yielded until the model has started answering, so a busy model
    /// (<see cref="ModelBusyException"/>) or a bad request surfaces before the caller has sent any response.
    /// </summary>
    public async IAsyncEnumerable<ChatEvent> StreamAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        using var measurement = telemetry.StartAnswer();
        await foreach (var chatEvent in EventsAsync(request, ct))
        {
            measurement.Saw(chatEvent);
            yield return chatEvent;
        }
    }

    private async IAsyncEnumerable<ChatEvent> EventsAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        var retrieved = await RetrieveAsync(request, ct);
        if (retrieved.Chunks.Count == 0)
        {
            yield return new SourcesFound([]);
            yield return new TextDelta(NoSourcesAnswer);
            yield return NoSources();
            yield break;
        }

        if (model is null)
        {
            var sources = Numbered(retrieved.Chunks);
            var done = Extract(retrieved.Question, sources, ExtractiveAnswerer.Label, "stop");
            yield return new SourcesFound(Citations(sources));
            yield return new TextDelta(done.Answer);
            yield return done;
            yield break;
        }

        await foreach (var chatEvent in GenerateAsync(model, retrieved, request, ct)) yield return chatEvent;
    }

    /// <summary>
    /// The whole answer within <paramref name="budget"/>, counted from this call, for callers that must reply by a
    /// deadline (Teams waits about five seconds). When the model cannot finish in time, or cannot take the question
    /// at all (<see cref="ModelBusyException"/>), its generation is cancelled and the answer is extractive over the
    /// same retrieved sources (retrieval runs once), labelled with the reason and marked by
    /// <see cref="Completed.FinishReason"/> (<see cref="ModelTooSlowFinish"/>, <see cref="ModelBusyFinish"/>).
    /// Retrieval itself is not cut short: without sources there would be nothing to fall back on.
    /// </summary>
    public async Task<Completed> AnswerWithinAsync(ChatRequest request, TimeSpan budget, CancellationToken ct)
    {
        using var measurement = telemetry.StartAnswer();
        var done = await AnswerOrFallBackWithinAsync(request, budget, ct);
        measurement.Saw(done);
        return done;
    }

    private async Task<Completed> AnswerOrFallBackWithinAsync(ChatRequest request, TimeSpan budget, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(budget);
        var retrieved = await RetrieveAsync(request, ct);
        if (retrieved.Chunks.Count == 0) return NoSources();
        if (model is null) return Extract(retrieved.Question, Numbered(retrieved.Chunks), ExtractiveAnswerer.Label, "stop");

        try
        {
            Completed? done = null;
            await foreach (var chatEvent in GenerateAsync(model, retrieved, request, deadline.Token)) done = chatEvent as Completed ?? done;
            return done!;
        }
        catch (Exception) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // Whatever the model threw once the budget ran out (a cancellation, or its client's wrapping of one)
            // is the budget's doing: the caller still gets an answer in time.
            return Extract(retrieved.Question, Numbered(retrieved.Chunks), ExtractiveAnswerer.TooSlowLabel, ModelTooSlowFinish);
        }
        catch (ModelBusyException)
        {
            return Extract(retrieved.Question, Numbered(retrieved.Chunks), ExtractiveAnswerer.BusyLabel, ModelBusyFinish);
        }
    }

    /// <summary>The conversation split into history and question, and what retrieval found for it.</summary>
    private sealed record Retrieved(IReadOnlyList<ChatTurn> History, string Question, IReadOnlyList<RetrievedChunk> Chunks);

    private async Task<Retrieved> RetrieveAsync(ChatRequest request, CancellationToken ct)
    {
        var (history, question) = Split(request);
        var query = _settings.RewriteFollowUps ? await rewriter.RewriteAsync(model, history, question, ct) : question;
        var chunks = await retriever.SearchAsync(new SearchRequest(query, request.ReaderGroups, _settings.Sources, request.Filter), ct);
        return new Retrieved(history, question, chunks);
    }

    private async IAsyncEnumerable<ChatEvent> GenerateAsync(ILanguageModel model, Retrieved retrieved, ChatRequest request,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var maxOutput = Math.Min(request.MaxOutputTokens ?? model.MaxOutputTokens, model.MaxOutputTokens);
        var prompt = _prompts.Build(model, retrieved.History, retrieved.Question, retrieved.Chunks, maxOutput);
        var options = new ChatOptions { MaxOutputTokens = maxOutput, Temperature = request.Temperature ?? 0.1f };

        using var generation = telemetry.StartGeneration(model.ModelId, maxOutput);
        await using var updates = model.Client.GetStreamingResponseAsync(prompt.Messages, options, ct).GetAsyncEnumerator(ct);
        var more = await updates.MoveNextAsync(); // the model has accepted the request (or thrown ModelBusyException)
        yield return new SourcesFound(Citations(prompt.Sources));

        var text = new StringBuilder();
        UsageDetails? usage = null;
        var finish = "stop";
        for (; more; more = await updates.MoveNextAsync())
        {
            var update = updates.Current;
            foreach (var usageContent in update.Contents.OfType<UsageContent>()) usage = usageContent.Details;
            if (update.FinishReason is { } reason) finish = reason.Value;
            if (string.IsNullOrEmpty(update.Text)) continue;
            generation.TokenArrived();
            text.Append(update.Text);
            yield return new TextDelta(update.Text);
        }

        var full = text.ToString();
        var used = new ChatUsage((int)(usage?.InputTokenCount ?? prompt.PromptTokens), (int)(usage?.OutputTokenCount ?? model.CountTokens(full)));
        generation.Done(used, finish);
        yield return new Completed(full, CitedIn(full, prompt.Sources), used, AnswerMode.Generated, ModelName, finish);
    }

    private Completed NoSources() =>
        new(NoSourcesAnswer, [], new ChatUsage(0, 0), AnswerMode.NoSources, ModelName, "stop");

    private Completed Extract(string question, IReadOnlyList<NumberedSource> sources, string label, string finish)
    {
        var answer = ExtractiveAnswerer.Answer(question, sources, _settings.ExtractivePassages, label);
        return new Completed(answer, CitedIn(answer, sources), new ChatUsage(0, 0), AnswerMode.Extractive, ExtractiveModelName, finish);
    }

    private static List<NumberedSource> Numbered(IEnumerable<RetrievedChunk> chunks) =>
        chunks.Select((chunk, i) => new NumberedSource(i + 1, chunk)).ToList();

    private (IReadOnlyList<ChatTurn> History, string Question) Split(ChatRequest request)
    {
        if (request.Messages is not { Count: > 0 } || request.Messages[^1] is not { Role: "user" } last || string.IsNullOrWhiteSpace(last.Content))
            throw new ChatRequestException("missing_question", "The last message must be the user's question, with text.");
        if (last.Content.Trim().Length > _maxQuestionChars)
            throw new ChatRequestException("question_too_long", $"The question is longer than {_maxQuestionChars} characters.");
        if (request.MaxOutputTokens is <= 0)
            throw new ChatRequestException("invalid_max_tokens", "The token limit of the answer (maxTokens) must be a positive number.");
        if (request.Messages.Any(m => m.Role is not ("user" or "assistant" or "system")))
            throw new ChatRequestException("invalid_role", "Message roles must be user, assistant or system.");
        return (request.Messages.Take(request.Messages.Count - 1).ToList(), last.Content.Trim());
    }

    private List<Citation> Citations(IEnumerable<NumberedSource> sources) =>
        sources.Select(s => s.ToCitation(_settings.SnippetChars)).ToList();

    private List<Citation> CitedIn(string answer, IReadOnlyList<NumberedSource> sources) =>
        CitationParser.Cited(answer, sources.Count).Select(n => sources[n - 1].ToCitation(_settings.SnippetChars)).ToList();
}
