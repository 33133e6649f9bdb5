using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lode.Chat.Models;

/// <summary>Registers the configured LLM.</summary>
public static class LanguageModelServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="LlmOptions"/> from <paramref name="configuration"/> (the <c>Llm</c> section), validated at
    /// start-up (<see cref="LlmOptionsValidator"/>: the GGUF exists and is readable, the endpoint is an http(s) URL,
    /// …), and registers <see cref="ILanguageModel"/> as a singleton for <see cref="LlmOptions.Provider"/>
    /// <c>llamasharp</c> (<see cref="LlamaSharpLanguageModel"/>: the weights load when it is first resolved) or
    /// <c>openai</c> (<see cref="OpenAiCompatibleLanguageModel"/>). With <c>none</c> (the default) nothing is
    /// registered and chat answers extractively. The provider is read now, from <paramref name="configuration"/>.
    /// </summary>
    public static IServiceCollection AddLodeLanguageModel(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<LlmOptions>().Bind(configuration).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>());

        switch (LlmProviders.Normalize(configuration[nameof(LlmOptions.Provider)]))
        {
            case LlmProviders.LlamaSharp:
                services.TryAddSingleton(sp => new LlamaSharpLanguageModel(
                    sp.GetRequiredService<IOptions<LlmOptions>>().Value, sp.GetService<ILoggerFactory>(), sp.GetService<IMeterFactory>()));
                services.TryAddSingleton<ILanguageModel>(sp => sp.GetRequiredService<LlamaSharpLanguageModel>());
                break;
            case LlmProviders.OpenAi:
                services.TryAddSingleton(sp => new OpenAiCompatibleLanguageModel(sp.GetRequiredService<IOptions<LlmOptions>>().Value));
                services.TryAddSingleton<ILanguageModel>(sp => sp.GetRequiredService<OpenAiCompatibleLanguageModel>());
                break;
            default:
                // "none", or a value the validator rejects at start-up.
                break;
        }

        return services;
    }
}
