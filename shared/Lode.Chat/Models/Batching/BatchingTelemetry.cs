using System.Diagnostics.Metrics;

namespace Lode.Chat.Models.Batching;

/// <summary>
/// Metrics of the batched engine, on the <c>Lode.Chat</c> meter beside <see cref="ChatTelemetry"/>'s: how full the
/// steps are, how long requests wait for admission, and prefill versus decode throughput. Counts and timings only.
/// </summary>
internal sealed class BatchingTelemetry : IDisposable
{
    /// <summary>Histogram (ratio 0–1) per step: decoding sequences over <see cref="LlmOptions.MaxConcurrentSequences"/>.</summary>
    public const string OccupancyName = "lode.llm.batch.occupancy";

    /// <summary>Histogram (seconds) from a request's arrival to its admission into the shared cache.</summary>
    public const string QueueWaitName = "lode.llm.queue.wait";

    /// <summary>Counter of tokens decoded in steps, tagged <c>phase</c>: prefill (prompt), decode (answer).</summary>
    public const string StepTokensName = "lode.llm.batch.tokens";

    /// <summary>
    /// Histogram (tokens per second) per step and phase: the phase's tokens over the step's duration. A step mixing both
    /// phases counts its whole duration for each, so the two are lower bounds when prompts and answers share steps.
    /// </summary>
    public const string StepSpeedName = "lode.llm.batch.speed";

    /// <summary>Gauge-like up/down counter of sequences in the shared context.</summary>
    public const string ActiveSequencesName = "lode.llm.batch.sequences";

    private static readonly KeyValuePair<string, object?> Prefill = new("phase", "prefill");
    private static readonly KeyValuePair<string, object?> Decode = new("phase", "decode");

    private readonly Meter? _ownMeter;
    private readonly Histogram<double> _occupancy;
    private readonly Histogram<double> _queueWait;
    private readonly Counter<long> _tokens;
    private readonly Histogram<double> _speed;
    private readonly UpDownCounter<int> _active;

    public BatchingTelemetry(IMeterFactory? meterFactory = null)
    {
        var meter = meterFactory?.Create(ChatTelemetry.Name) ?? (_ownMeter = new Meter(ChatTelemetry.Name));
        _occupancy = meter.CreateHistogram<double>(OccupancyName, unit: "1", description: "Share of the sequences that decoded a token in a batched step.");
        _queueWait = meter.CreateHistogram<double>(QueueWaitName, unit: "s", description: "Time a request waited for room in the shared KV cache.");
        _tokens = meter.CreateCounter<long>(StepTokensName, unit: "{token}", description: "Tokens decoded in batched steps, by phase.");
        _speed = meter.CreateHistogram<double>(StepSpeedName, unit: "{token}/s", description: "Tokens per second of a batched step, by phase.");
        _active = meter.CreateUpDownCounter<int>(ActiveSequencesName, unit: "{sequence}", description: "Sequences in the shared context.");
    }

    public void Admitted(TimeSpan queueWait)
    {
        _queueWait.Record(queueWait.TotalSeconds);
        _active.Add(1);
    }

    public void Left() => _active.Add(-1);

    public void Step(int decoded, int prefilled, TimeSpan elapsed, int maxSequences)
    {
        _occupancy.Record((double)decoded / maxSequences);
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        if (decoded > 0)
        {
            _tokens.Add(decoded, Decode);
            _speed.Record(decoded / seconds, Decode);
        }

        if (prefilled > 0)
        {
            _tokens.Add(prefilled, Prefill);
            _speed.Record(prefilled / seconds, Prefill);
        }
    }

    public void Dispose() => _ownMeter?.Dispose();
}
