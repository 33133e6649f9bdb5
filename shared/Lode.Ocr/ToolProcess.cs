using System.Diagnostics;
using System.Text;

namespace Lode.Ocr;

/// <summary>What a command-line tool printed and how it ended.</summary>
internal sealed record ToolResult(int ExitCode, string Output, string Errors);

/// <summary>
/// Runs a command-line tool (tesseract, pdftoppm) with a wall-clock limit: past it, or on cancellation, the process
/// and its children are killed, so a page that makes a tool spin or swell costs its timeout and nothing after it.
/// Output beyond <see cref="MaxOutputChars"/> kills the tool too: a page's text is never that long.
/// </summary>
internal static class ToolProcess
{
    public const int MaxOutputChars = 16 << 20;

    public static async Task<ToolResult> RunAsync(
        string fileName, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new OcrFailedException($"'{fileName}' could not be started ({e.Message}); is it installed?", e);
        }

        process.StandardInput.Close();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var output = ReadBoundedAsync(process.StandardOutput, limit);
        var errors = ReadBoundedAsync(process.StandardError, limit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
            return new ToolResult(process.ExitCode, await output, await errors);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            cancellationToken.ThrowIfCancellationRequested();
            var overflowed = (await Quietly(output)).Length >= MaxOutputChars || (await Quietly(errors)).Length >= MaxOutputChars;
            throw new OcrFailedException(overflowed
                ? $"{Path.GetFileName(fileName)} printed more than {MaxOutputChars:N0} characters and was stopped."
                : $"{Path.GetFileName(fileName)} took longer than {timeout.TotalSeconds:0.#} s and was stopped.");
        }
    }

    /// <summary>Reads a stream to its end, cancelling <paramref name="limit"/> when it grows past <see cref="MaxOutputChars"/>.</summary>
    private static async Task<string> ReadBoundedAsync(StreamReader reader, CancellationTokenSource limit)
    {
        var text = new StringBuilder();
        var buffer = new char[8192];
        int read;
        while ((read = await reader.ReadAsync(buffer, CancellationToken.None)) > 0)
        {
            if (text.Length + read > MaxOutputChars)
            {
                text.Append(buffer, 0, MaxOutputChars - text.Length);
                await limit.CancelAsync();
                break;
            }

            text.Append(buffer, 0, read);
        }

        return text.ToString();
    }

    private static async Task<string> Quietly(Task<string> read)
    {
        try
        {
            return await read;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            return "";
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            // Reaped before returning, so no zombie outlives the page and its temporary files can be deleted.
            process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // It ended by itself between the timeout and the kill.
        }
    }
}
