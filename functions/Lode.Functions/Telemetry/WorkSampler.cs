using System.Diagnostics;
using OpenTelemetry.Trace;

namespace Lode.Functions.Telemetry;

/// <summary>
/// Decides which spans start a trace: a request served (server) or a job taken from the queue (consumer). A database
/// or HTTP call with no such parent is housekeeping — the worker polling the queue several times a second, lease
/// heartbeats, gauge readings — and would flood the collector with one-span traces. Spans with a parent follow the
/// parent's decision (this is the root sampler of a <see cref="ParentBasedSampler"/>).
/// </summary>
public sealed class WorkSampler : Sampler
{
    public WorkSampler() => Description = nameof(WorkSampler);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        new(samplingParameters.Kind is ActivityKind.Server or ActivityKind.Consumer
            ? SamplingDecision.RecordAndSample
            : SamplingDecision.Drop);
}
