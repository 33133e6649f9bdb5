using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Lode.Chat.Models;

/// <summary>
/// The LLM: Healthy "extractive fallback" when none is configured (a supported way to run, not a fault); Unhealthy when it cannot be loaded (resolving
/// it loads a GGUF); otherwise Healthy with provider, model, context size and load (busy sequences, queue depth).
/// A busy model is healthy: it answers, later.
/// </summary>
public sealed class LanguageModelHealthCheck(IServiceProvider services, IOptions<LlmOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var provider = LlmProviders.Normalize(options.Value.Provider);
        if (provider == LlmProviders.None)
        {
            return Task.FromResult(HealthCheckResult.Healthy("extractive fallback", data: new Dictionary<string, object>
            {
                ["provider"] = provider,
            }));
        }

        ILanguageModel model;
        try
        {
            model = services.GetRequiredService<ILanguageModel>();
        }
        catch (Exception e) when (e is InvalidOperationException or OptionsValidationException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"The language model cannot be loaded: {e.Message}", data: new Dictionary<string, object>
            {
                ["provider"] = provider,
            }));
        }

        var data = new Dictionary<string, object>
        {
            ["provider"] = provider,
            ["model"] = model.ModelId,
            ["contextTokens"] = model.ContextTokens,
            ["maxOutputTokens"] = model.MaxOutputTokens,
        };
        if (model is ILanguageModelDiagnostics diagnostics)
        {
            var status = diagnostics.GetStatus();
            data["busySequences"] = status.BusySequences;
            data["queuedRequests"] = status.QueuedRequests;
            data["chatTemplate"] = status.ChatTemplate;
            if (status.MaxConcurrentSequences is { } maxSequences)
            {
                data["maxConcurrentSequences"] = maxSequences;
            }

            if (status.MaxQueuedRequests is { } maxQueued)
            {
                data["maxQueuedRequests"] = maxQueued;
            }
        }

        return Task.FromResult(HealthCheckResult.Healthy(data: data));
    }
}
