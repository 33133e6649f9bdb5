using System.Diagnostics;
using System.Globalization;

namespace Lode.Tests.Support;

/// <summary>
/// The real app executable in a process of its own (`dotnet Lode.Functions.dll`, as the build placed it beside the
/// tests), for tests that must kill or signal it as an operating system would.
/// </summary>
public static class AppProcess
{
    /// <param name="launcher">A command that execs the rest of its arguments (e.g. <c>setpriv … --</c>), or none.</param>
    public static Process Start(IEnumerable<string> args, IReadOnlyList<string>? launcher = null)
    {
        var info = new ProcessStartInfo(launcher is { Count: > 0 } ? launcher[0] : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        if (launcher is { Count: > 0 })
        {
            foreach (var arg in launcher.Skip(1)) info.ArgumentList.Add(arg);
            info.ArgumentList.Add("dotnet");
        }
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Lode.Functions.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static async Task WaitForHealthAsync(int port, Process process)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.WaitUntilAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"The app process exited with code {process.ExitCode}.");
            try { return (await client.GetAsync($"http://127.0.0.1:{port}/api/health")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
            // One probe that outlives the client's timeout is a slow start on a busy machine, not a failure: ask again.
            catch (TaskCanceledException) { return false; }
        }, "the app process to answer health", seconds: 180);
    }

    /// <summary>
    /// Sends SIGTERM, what a service manager or Kubernetes sends to stop a pod (Process.Kill sends SIGKILL).
    /// `dotnet app.dll` runs the app in the muxer's own process, so the signal reaches the app's host.
    /// </summary>
    public static async Task TerminateAsync(Process process)
    {
        var kill = new ProcessStartInfo("kill") { UseShellExecute = false };
        kill.ArgumentList.Add("-TERM");
        kill.ArgumentList.Add(process.Id.ToString(CultureInfo.InvariantCulture));
        using var signaller = Process.Start(kill)!;
        await signaller.WaitForExitAsync();
        if (signaller.ExitCode != 0) throw new InvalidOperationException($"kill -TERM {process.Id} exited with code {signaller.ExitCode}.");
    }
}
