using System.Text;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace Lode.Chat.Models;

/// <summary>
/// Routes llama.cpp's log (process-wide, otherwise written to stderr) to an <see cref="ILogger"/>. llama.cpp is
/// chatty at info level (every metadata key, every buffer), so its info becomes Debug here; warnings and errors keep
/// their level. Messages arrive in fragments: they are joined up to the newline.
/// </summary>
internal static class LlamaSharpNativeLog
{
    private static readonly Lock Gate = new();
    private static ILogger? _logger;
    private static bool _installed;

    [ThreadStatic]
    private static StringBuilder? _line;

    [ThreadStatic]
    private static LogLevel _lineLevel;

    /// <summary>Sends llama.cpp's log to <paramref name="logger"/> from now on (the latest model's logger wins).</summary>
    public static void Attach(ILogger logger)
    {
        lock (Gate)
        {
            _logger = logger;
            if (!_installed)
            {
                NativeLogConfig.llama_log_set(Write);
                _installed = true;
            }
        }
    }

    /// <summary>Stops sending to <paramref name="logger"/> if it is still the current one (its model is gone).</summary>
    public static void Detach(ILogger logger)
    {
        lock (Gate)
        {
            if (ReferenceEquals(_logger, logger))
            {
                _logger = null;
            }
        }
    }

    private static void Write(LLamaLogLevel level, string message)
    {
        var line = _line ??= new StringBuilder();
        if (level != LLamaLogLevel.Continue && line.Length == 0)
        {
            _lineLevel = level switch
            {
                LLamaLogLevel.Error => LogLevel.Error,
                LLamaLogLevel.Warning => LogLevel.Warning,
                _ => LogLevel.Debug,
            };
        }

        line.Append(message);
        if (!message.EndsWith('\n'))
        {
            return;
        }

        var text = line.ToString().TrimEnd('\n');
        line.Clear();
        if (text.Trim('.', ' ').Length == 0)
        {
            return;
        }

        try
        {
            _logger?.Log(_lineLevel, "llama.cpp: {Message}", text);
        }
#pragma warning disable CA1031 // Called from native code: any exception escaping here would take the process down.
        catch (Exception)
        {
        }
#pragma warning restore CA1031
    }
}
