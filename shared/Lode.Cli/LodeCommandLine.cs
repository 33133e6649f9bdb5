using System.CommandLine;

namespace Lode.Cli;

/// <summary>
/// The <c>lode</c> command: operator tasks over the app's HTTP API. The address and key come from <c>--url</c> /
/// <c>LODE_URL</c> and <c>--api-key</c> / <c>LODE_API_KEY</c>; output goes to the writers given, so tests run the real
/// command in-process.
/// </summary>
public static class LodeCommandLine
{
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var console = new CliConsole(output, error);
        var options = new GlobalOptions();
        var root = new RootCommand("Lode operator command line: upload, status, ask, keys, reindex, dead letters, eval, generations.");
        options.AddTo(root);
        root.Subcommands.Add(UploadCommand.Create(options, console));
        root.Subcommands.Add(StatusCommand.Create(options, console));
        root.Subcommands.Add(AskCommand.Create(options, console));
        root.Subcommands.Add(KeysCommand.Create(options, console));
        root.Subcommands.Add(ReindexCommand.Create(options, console));
        root.Subcommands.Add(DeadLettersCommand.Create(options, console));
        root.Subcommands.Add(EvalCommand.Create(options, console));
        root.Subcommands.Add(GenerationsCommand.Create(options, console));
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, ct);
    }
}
