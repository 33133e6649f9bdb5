using System.Diagnostics;
using Lode.Tests.Support;

namespace Lode.Tests.Sandbox;

/// <summary>
/// The extractor child runs as the app's user; Linux lets a process read another of the same user's
/// <c>/proc/&lt;pid&gt;/environ</c> (where the app's credentials are) and <c>mem</c> unless that process is
/// non-dumpable. Every process here runs as the deployment runs them (uid 10001, every capability dropped): as the
/// test's user without capabilities. When the tests run as root, <c>setpriv</c> drops them — root with CAP_SYS_PTRACE
/// reads any process whatever it has set, and a reader lacking capabilities its target holds is refused anyway
/// (the kernel's capability check), so app and reader both lose them and only dumpability decides.
/// </summary>
public sealed class AppProcessInspectionTests
{
    // Capabilities dropped at exec and for good (the bounding set); as a non-root user there are none to drop.
    private static readonly string[] WithoutCapabilities = Environment.UserName == "root"
        ? ["setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--"]
        : [];

    [Fact]
    public async Task A_child_of_the_apps_user_cannot_read_the_apps_environment_or_memory()
    {
        await using var database = await TestDatabase.CreateAsync(migrate: false);
        var port = FreePort.Next();
        await using var s3 = await S3ServerProcess.StartAsync(
            $"http://127.0.0.1:{port}/api/minio/events", LodeStack.WebhookToken, [LodeStack.Bucket], default);
        using var app = AppProcess.Start(LodeStack.AppArguments(database, s3, port), WithoutCapabilities);
        // A process of the same user that made no such call: the reader must be able to read it, or the test shows nothing.
        using var ordinary = Start([.. WithoutCapabilities, "sleep", "600"]);
        try
        {
            // Healthy means started: the hosted services, the one that closes the process first, have run.
            await AppProcess.WaitForHealthAsync(port, app);

            var control = await ReadAsync($"/proc/{ordinary.Id}/environ");
            Assert.True(control.ExitCode == 0, $"the reader could not read an ordinary process of its user: {control.Error}");

            var environment = await ReadAsync($"/proc/{app.Id}/environ");
            Assert.True(environment.ExitCode != 0, $"a child of the app's user read the app's environment ({environment.Output.Length} chars)");
            Assert.Contains("Permission denied", environment.Error);
            var memory = await ReadAsync($"/proc/{app.Id}/mem");
            Assert.Contains("Permission denied", memory.Error);
        }
        finally
        {
            ordinary.Kill();
            if (!app.HasExited) app.Kill(entireProcessTree: true);
        }
    }

    private sealed record Reading(int ExitCode, string Output, string Error);

    /// <summary><c>head -c 4096 file</c> as a process of the test's user without capabilities.</summary>
    private static async Task<Reading> ReadAsync(string path)
    {
        using var reader = Start([.. WithoutCapabilities, "head", "-c", "4096", path]);
        var output = reader.StandardOutput.ReadToEndAsync();
        var error = reader.StandardError.ReadToEndAsync();
        await reader.WaitForExitAsync();
        return new Reading(reader.ExitCode, await output, await error);
    }

    private static Process Start(string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in command.Skip(1)) start.ArgumentList.Add(argument);
        return Process.Start(start)!;
    }
}
