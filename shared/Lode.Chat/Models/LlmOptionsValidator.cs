using Microsoft.Extensions.Options;

namespace Lode.Chat.Models;

/// <summary>
/// Start-up validation of <see cref="LlmOptions"/>: every message names the configuration key, so a bad setting stops
/// the app with a sentence an operator can act on (instead of a native crash at the first question).
/// </summary>
public sealed class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var provider = LlmProviders.Normalize(options.Provider);
        switch (provider)
        {
            case LlmProviders.None:
                return ValidateOptionsResult.Success;
            case LlmProviders.LlamaSharp:
                ValidateShared(options, errors, allowZeroContext: true);
                ValidateLlamaSharp(options, errors);
                break;
            case LlmProviders.OpenAi:
                ValidateShared(options, errors, allowZeroContext: false);
                ValidateOpenAi(options, errors);
                break;
            default:
                errors.Add($"Llm:Provider '{options.Provider}' is not one of: none, llamasharp, openai.");
                break;
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateShared(LlmOptions options, List<string> errors, bool allowZeroContext)
    {
        if (options.ContextSize < 0 || (!allowZeroContext && options.ContextSize == 0))
        {
            errors.Add(allowZeroContext
                ? "Llm:ContextSize must be positive (or 0 for the model's trained context)."
                : "Llm:ContextSize must be positive: the context the server was started with.");
        }

        if (options.MaxOutputTokens < 1)
        {
            errors.Add("Llm:MaxOutputTokens must be at least 1.");
        }
        else if (options.ContextSize > 0 && options.MaxOutputTokens >= options.ContextSize)
        {
            errors.Add($"Llm:MaxOutputTokens ({options.MaxOutputTokens}) must be smaller than Llm:ContextSize ({options.ContextSize}): the prompt needs room too.");
        }

        // Both providers admit requests the same way: a bounded queue with a bounded wait.
        if (options.MaxQueuedRequests < 0)
        {
            errors.Add("Llm:MaxQueuedRequests must be 0 (no waiting) or positive.");
        }

        if (options.QueueTimeoutSeconds < 0)
        {
            errors.Add("Llm:QueueTimeoutSeconds must be 0 or positive.");
        }

        if (options.Temperature is < 0 or > 2 || float.IsNaN(options.Temperature))
        {
            errors.Add("Llm:Temperature must be between 0 and 2.");
        }
    }

    private static void ValidateLlamaSharp(LlmOptions options, List<string> errors)
    {
        if (GgufProbe.Check(options.ModelPath) is { } problem)
        {
            errors.Add(problem);
        }

        if (options.GpuLayers < 0)
        {
            errors.Add("Llm:GpuLayers must be 0 (CPU only) or positive.");
        }

        if (options.Threads < 0)
        {
            errors.Add("Llm:Threads must be 0 (llama.cpp default) or positive.");
        }

        if (options.BatchSize < 1)
        {
            errors.Add("Llm:BatchSize must be at least 1.");
        }

        if (options.MaxConcurrentSequences < 1)
        {
            errors.Add("Llm:MaxConcurrentSequences must be at least 1.");
        }
    }

    private static void ValidateOpenAi(LlmOptions options, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(options.Endpoint))
        {
            errors.Add("Llm:Endpoint is required for Llm:Provider 'openai' (e.g. http://gpu-box:8000/v1).");
        }
        else if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var endpoint)
                 || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"Llm:Endpoint '{options.Endpoint}' is not an absolute http(s) URL (e.g. http://gpu-box:8000/v1).");
        }

        if (string.IsNullOrWhiteSpace(options.Model))
        {
            errors.Add("Llm:Model is required for Llm:Provider 'openai': the model name the server serves.");
        }

        if (options.RequestTimeoutSeconds < 1)
        {
            errors.Add("Llm:RequestTimeoutSeconds must be at least 1.");
        }

        if (options.MaxConcurrentRequests < 1)
        {
            errors.Add("Llm:MaxConcurrentRequests must be at least 1.");
        }

        if (!(options.BreakerFailureRatio is > 0 and <= 1))
        {
            errors.Add("Llm:BreakerFailureRatio must be above 0 and at most 1.");
        }

        if (options.BreakerMinimumRequests < 2)
        {
            errors.Add("Llm:BreakerMinimumRequests must be at least 2.");
        }

        if (options.BreakerSamplingSeconds < 1 || options.BreakerBreakSeconds < 1)
        {
            errors.Add("Llm:BreakerSamplingSeconds and Llm:BreakerBreakSeconds must be at least 1.");
        }
    }
}

/// <summary>Cheap check that a path is a readable GGUF file (its magic), before llama.cpp is asked to load it.</summary>
public static class GgufProbe
{
    /// <summary>Null when <paramref name="path"/> is a readable GGUF file, else the problem, naming <c>Llm:ModelPath</c>.</summary>
    public static string? Check(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return "Llm:ModelPath is required for Llm:Provider 'llamasharp': the path of a GGUF model file.";
        }

        if (!File.Exists(path))
        {
            return $"Llm:ModelPath '{path}' does not exist (or is not a file).";
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            Span<byte> magic = stackalloc byte[4];
            if (stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4 || !magic.SequenceEqual("GGUF"u8))
            {
                return $"Llm:ModelPath '{path}' is not a GGUF file (it does not start with 'GGUF').";
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"Llm:ModelPath '{path}' cannot be read: {e.Message}";
        }

        return null;
    }
}
