using System.CommandLine;

namespace Lode.Cli;

/// <summary>Where a command writes, and the one place a failure becomes a sentence on stderr and exit code 1.</summary>
public sealed class CliConsole(TextWriter output, TextWriter error)
{
    public TextWriter Out { get; } = output;

    public const int Failed = 1;

    /// <summary>Runs <paramref name="action"/> with a client for the app; an operator-facing failure prints one sentence.</summary>
    public void SetAction(Command command, GlobalOptions options, Func<ParseResult, LodeApi, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                using var api = options.CreateApi(parse);
                return await action(parse, api, ct);
            }
            catch (CliFailure e)
            {
                await error.WriteLineAsync(e.Message);
                return Failed;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await error.WriteLineAsync("Stopped.");
                return Failed;
            }
        });

    public Task<int> FailAsync(string message)
    {
        error.WriteLine(message);
        return Task.FromResult(Failed);
    }
}
