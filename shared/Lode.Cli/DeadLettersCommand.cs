using System.CommandLine;

namespace Lode.Cli;

/// <summary>
/// <c>lode dead-letters</c>: the documents that failed, with their reason; <c>--follow</c> keeps polling and prints
/// each new failure (a document that fails again later is printed again) until Ctrl+C.
/// </summary>
public static class DeadLettersCommand
{
    public static Command Create(GlobalOptions options, CliConsole console)
    {
        var bucket = new Option<string?>("--bucket") { Description = "Only this bucket" };
        var prefix = new Option<string?>("--prefix") { Description = "Only keys starting with this (literal)" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep polling and print new failures as they happen" };
        var interval = PollInterval.CreateOption();
        var command = new Command("dead-letters", "List the documents that failed to index (tail them with --follow)") { bucket, prefix, follow, interval };
        console.SetAction(command, options, async (parse, api, ct) =>
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                await foreach (var document in DocumentListing.ListAsync(api, parse.GetValue(bucket), parse.GetValue(prefix), "failed", ct))
                {
                    var identity = $"{DocumentListing.Text(document, "bucket")}/{DocumentListing.Text(document, "key")}@{document.GetProperty("updatedAt").GetRawText()}";
                    if (!seen.Add(identity)) continue;
                    await console.Out.WriteLineAsync($"{document.GetProperty("updatedAt").GetDateTimeOffset():u} {DocumentListing.Describe(document)}");
                }
                if (!parse.GetValue(follow))
                {
                    if (seen.Count == 0) await console.Out.WriteLineAsync("No failed documents.");
                    return 0;
                }
                await console.Out.FlushAsync(ct);
                await Task.Delay(PollInterval.From(parse, interval), ct);
            }
        });
        return command;
    }
}
