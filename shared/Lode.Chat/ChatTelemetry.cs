using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Lode.Chat;

/// <summary>
/// Chat's metrics and traces, both named <c>Lode.Chat</c>. An answer (<see cref="ChatService"/>) is a
/// <see cref="AnswerSpanName"/> span with its latency to the first answer text and to the end; the model's part of it is
/// a <see cref="GenerationSpanName"/> child with the model's own time to first token, duration, token counts and speed.
/// Nothing here carries a question, a prompt, an answer or a source: only timings, counts, the answer mode and the
/// configured model's id.
/// </summary>
public sealed class ChatTelemetry : IDisposable
{
    public const string Name = "Lode.Chat";

    /// <summary>Histogram (seconds) from the request to the complete answer, tagged <c>mode</c>: generated, extractive, no_sources.</summary>
    public const string AnswerDurationName = "lode.chat.duration";

    /// <summary>Histogram (seconds) from the request to the first answer text (retrieval and prompt processing included), tagged <c>mode</c>.</summary>
    public const string AnswerFirstTextName = "lode.chat.time_to_first_token";

    /// <summary>Histogram (seconds) of one model call, from the request to the model to its last token.</summary>
    public const string GenerationDurationName = "lode.llm.generation.duration";

    /// <summary>Histogram (seconds) from the request to the model to its first token: queueing and prompt processing.</summary>
    public const string GenerationFirstTokenName = "lode.llm.time_to_first_token";

    /// <summary>Counter of tokens the model read and wrote, tagged <c>type</c>: input, output.</summary>
    public const string TokensName = "lode.llm.tokens";

    /// <summary>Histogram (tokens per second) of one model call: output tokens over the call's whole duration.</summary>
    public const string OutputSpeedName = "lode.llm.output_speed";

    public const string AnswerSpanName = "lode.chat.answer";
    public const string GenerationSpanName = "lode.llm.generate";

    private static readonly ActivitySource Source = new(Name);

    private readonly Meter? _ownMeter;
    private readonly Histogram<double> _answerDuration;
    private readonly Histogram<double> _answerFirstText;
    private readonly Histogram<double> _generationDuration;
    private readonly Histogram<double> _generationFirstToken;
    private readonly Counter<long> _tokens;
    private readonly Histogram<double> _outputSpeed;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/> (the host's), or on a meter of its own.</summary>
    public ChatTelemetry(IMeterFactory? meterFactory = null)
    {
        var meter = meterFactory?.Create(Name) ?? (_ownMeter = new Meter(Name));
        _answerDuration = meter.CreateHistogram<double>(AnswerDurationName, unit: "s", description: "Time from a chat request to its complete answer.");
        _answerFirstText = meter.CreateHistogram<double>(AnswerFirstTextName, unit: "s", description: "Time from a chat request to the first text of its answer.");
        _generationDuration = meter.CreateHistogram<double>(GenerationDurationName, unit: "s", description: "Time one language-model call took, to its last token.");
        _generationFirstToken = meter.CreateHistogram<double>(GenerationFirstTokenName, unit: "s", description: "Time from a language-model call to its first token.");
        _tokens = meter.CreateCounter<long>(TokensName, unit: "{token}", description: "Tokens the language model read (input) and wrote (output).");
        _outputSpeed = meter.CreateHistogram<double>(OutputSpeedName, unit: "{token}/s", description: "Output tokens per second of one language-model call.");
    }

    /// <summary>Starts measuring one answer; dispose it when the answer is over, complete or not.</summary>
    public AnswerMeasurement StartAnswer() => new(this, Source.StartActivity(AnswerSpanName));

    /// <summary>Starts measuring one model call (a child of the answer's span); dispose it when the call is over.</summary>
    public GenerationMeasurement StartGeneration(string modelId, int maxOutputTokens)
    {
        var span = Source.StartActivity(GenerationSpanName, ActivityKind.Client);
        span?.SetTag("gen_ai.operation.name", "chat");
        span?.SetTag("gen_ai.request.model", modelId);
        span?.SetTag("gen_ai.request.max_tokens", maxOutputTokens);
        return new GenerationMeasurement(this, span);
    }

    public void Dispose() => _ownMeter?.Dispose();

    internal void AnswerFirstText(TimeSpan elapsed, AnswerMode mode) => _answerFirstText.Record(elapsed.TotalSeconds, ModeTag(mode));

    internal void AnswerDone(TimeSpan elapsed, AnswerMode mode) => _answerDuration.Record(elapsed.TotalSeconds, ModeTag(mode));

    internal void GenerationFirstToken(TimeSpan elapsed) => _generationFirstToken.Record(elapsed.TotalSeconds);

    internal void GenerationDone(TimeSpan elapsed, ChatUsage usage)
    {
        _generationDuration.Record(elapsed.TotalSeconds);
        _tokens.Add(usage.PromptTokens, new KeyValuePair<string, object?>("type", "input"));
        _tokens.Add(usage.CompletionTokens, new KeyValuePair<string, object?>("type", "output"));
        if (usage.CompletionTokens > 0 && elapsed > TimeSpan.Zero) _outputSpeed.Record(usage.CompletionTokens / elapsed.TotalSeconds);
    }

    internal static string ModeName(AnswerMode mode) => mode switch
    {
        AnswerMode.Generated => "generated",
        AnswerMode.Extractive => "extractive",
        AnswerMode.NoSources => "no_sources",
        _ => "unknown",
    };

    private static KeyValuePair<string, object?> ModeTag(AnswerMode mode) => new("mode", ModeName(mode));
}

/// <summary>
/// One answer being measured: the first <see cref="TextDelta"/> it sees is the time to first text, the
/// <see cref="Completed"/> event the end. Disposed without having seen the end, the answer failed or was abandoned
/// (the caller went away): its span ends as an error and no latency is recorded.
/// </summary>
public sealed class AnswerMeasurement : IDisposable
{
    private readonly ChatTelemetry _telemetry;
    private readonly Activity? _span;
    private readonly long _started = Stopwatch.GetTimestamp();
    private TimeSpan? _firstText;
    private bool _completed;

    internal AnswerMeasurement(ChatTelemetry telemetry, Activity? span) => (_telemetry, _span) = (telemetry, span);

    public void Saw(ChatEvent chatEvent)
    {
        switch (chatEvent)
        {
            case TextDelta when _firstText is null:
                _firstText = Stopwatch.GetElapsedTime(_started);
                break;
            case Completed done:
                _completed = true;
                if (_firstText is { } firstText) _telemetry.AnswerFirstText(firstText, done.Mode);
                _telemetry.AnswerDone(Stopwatch.GetElapsedTime(_started), done.Mode);
                _span?.SetTag("lode.chat.mode", ChatTelemetry.ModeName(done.Mode));
                _span?.SetTag("lode.chat.finish_reason", done.FinishReason);
                _span?.SetTag("lode.chat.citations", done.Citations.Count);
                break;
        }
    }

    public void Dispose()
    {
        if (!_completed) _span?.SetStatus(ActivityStatusCode.Error, "The answer did not complete.");
        _span?.Dispose();
    }
}

/// <summary>One model call being measured: <see cref="TokenArrived"/> at each piece of text, <see cref="Done"/> at the end.</summary>
public sealed class GenerationMeasurement : IDisposable
{
    private readonly ChatTelemetry _telemetry;
    private readonly Activity? _span;
    private readonly long _started = Stopwatch.GetTimestamp();
    private bool _anyToken;
    private bool _done;

    internal GenerationMeasurement(ChatTelemetry telemetry, Activity? span) => (_telemetry, _span) = (telemetry, span);

    public void TokenArrived()
    {
        if (_anyToken) return;
        _anyToken = true;
        _telemetry.GenerationFirstToken(Stopwatch.GetElapsedTime(_started));
    }

    public void Done(ChatUsage usage, string finishReason)
    {
        _done = true;
        _telemetry.GenerationDone(Stopwatch.GetElapsedTime(_started), usage);
        _span?.SetTag("gen_ai.usage.input_tokens", usage.PromptTokens);
        _span?.SetTag("gen_ai.usage.output_tokens", usage.CompletionTokens);
        _span?.SetTag("gen_ai.response.finish_reasons", new[] { finishReason });
    }

    public void Dispose()
    {
        if (!_done) _span?.SetStatus(ActivityStatusCode.Error, "The model call did not complete.");
        _span?.Dispose();
    }
}
