using System.CommandLine;

namespace Lode.Cli;

/// <summary><c>lode status</c>: the documents and their indexing state, with a count per state.</summary>
public static class StatusCommand
{
    public static Command Create(GlobalOptions options, CliConsole console)
    {
        var bucket = new Option<string?>("--bucket") { Description = "Only this bucket" };
        var prefix = new Option<string?>("--prefix") { Description = "Only keys starting with this (literal)" };
        var status = new Option<string?>("--status") { Description = "Only this state: pending, indexed or failed" };
        var command = new Command("status", "Show the documents and their indexing status") { bucket, prefix, status };
        console.SetAction(command, options, async (parse, api, ct) =>
        {
            var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
            await foreach (var document in DocumentListing.ListAsync(api, parse.GetValue(bucket), parse.GetValue(prefix), parse.GetValue(status), ct))
            {
                await console.Out.WriteLineAsync(DocumentListing.Describe(document));
                var state = DocumentListing.Text(document, "status");
                counts[state] = counts.GetValueOrDefault(state) + 1;
            }
            var total = counts.Values.Sum();
            await console.Out.WriteLineAsync(total == 0
                ? "No documents."
                : $"{total} documents: {string.Join(", ", counts.Select(c => $"{c.Value} {c.Key}"))}.");
            return 0;
        });
        return command;
    }
}
