using System.Diagnostics;
using Lode.Cli;
using Lode.Tests.Support;

namespace Lode.Tests.Cli;

/// <summary>What one run of the <c>lode</c> command printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>Runs the real <c>lode</c> command (its entry point, in-process, or the built program as a child process).</summary>
public static class CliRun
{
    public static Task<CliResult> RunAsync(LodeStack stack, string apiKey, params string[] args) =>
        RunAsync($"http://127.0.0.1:{stack.Port}", apiKey, args);

    /// <summary>Runs the real <c>lode</c> command in-process against whatever answers at <paramref name="url"/>.</summary>
    public static async Task<CliResult> RunAsync(string url, string apiKey, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] all = [.. args, "--url", url, "--api-key", apiKey];
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var exitCode = await LodeCommandLine.RunAsync(all, output, error, timeout.Token);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Runs the built <c>Lode.Cli.dll</c> as a child process, as an operator would, with <paramref name="environment"/>
    /// added to its variables (the address and key then come from LODE_URL and LODE_API_KEY).
    /// </summary>
    public static async Task<CliResult> RunProcessAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Lode.Cli.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) info.Environment[name] = value;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await output, await error);
    }
}
