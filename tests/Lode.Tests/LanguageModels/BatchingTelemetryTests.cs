using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Lode.Chat.Models;
using Lode.Chat.Models.Batching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Tests.LanguageModels;

/// <summary>The batched engine's metrics, from a real generation: occupancy, queue wait, prefill and decode tokens/s.</summary>
[Collection(TinyLlamaCollection.Name)]
public sealed class BatchingTelemetryTests(TinyLlamaFixture tiny)
{
    [Fact]
    public async Task Steps_record_occupancy_queue_wait_and_prefill_and_decode_throughput()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var measurements = new ConcurrentQueue<(string Name, double Value, string? Phase)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == factory) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue((i.Name, v, Phase(tags))));
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Enqueue((i.Name, v, Phase(tags))));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => measurements.Enqueue((i.Name, v, Phase(tags))));
        listener.Start();

        using var model = new LlamaSharpLanguageModel(tiny.Options(o => o.MaxConcurrentSequences = 2), meterFactory: factory);
        var answer = await model.Client.GetResponseAsync(TinyLlamaFixture.Question(), new ChatOptions { MaxOutputTokens = 6 });
        var promptTokens = answer.Usage!.InputTokenCount!.Value;

        Assert.Single(measurements, m => m.Name == BatchingTelemetry.QueueWaitName);
        // Six answer tokens: the first comes from the prompt's last logits, five are fed back before the limit.
        Assert.Equal(5, measurements.Where(m => m.Name == BatchingTelemetry.StepTokensName && m.Phase == "decode").Sum(m => m.Value));
        Assert.Equal(promptTokens, measurements.Where(m => m.Name == BatchingTelemetry.StepTokensName && m.Phase == "prefill").Sum(m => m.Value));
        Assert.Contains(measurements, m => m.Name == BatchingTelemetry.StepSpeedName && m.Phase == "decode" && m.Value > 0);
        Assert.Contains(measurements, m => m.Name == BatchingTelemetry.StepSpeedName && m.Phase == "prefill" && m.Value > 0);
        // One of two sequences decoding: occupancy 0.5 in every decode step.
        Assert.All(measurements.Where(m => m.Name == BatchingTelemetry.OccupancyName && m.Value > 0), m => Assert.Equal(0.5, m.Value));
        await Eventually(() => measurements.Where(m => m.Name == BatchingTelemetry.ActiveSequencesName).Sum(m => m.Value) == 0);
    }

    private static string? Phase(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "phase") return tag.Value as string;
        }

        return null;
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(10);
        }
    }
}
