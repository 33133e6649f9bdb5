using System.CommandLine;
using System.Text.Json;

namespace Lode.Cli;

/// <summary><c>lode reindex</c>: starts a reindex run of a bucket (admin key) and, with <c>--follow</c>, prints its progress until it ends.</summary>
public static class ReindexCommand
{
    public static Command Create(GlobalOptions options, CliConsole console)
    {
        var bucket = new Option<string>("--bucket") { Description = "The bucket to index again", Required = true };
        var prefix = new Option<string?>("--prefix") { Description = "Only keys starting with this (literal)" };
        var force = new Option<bool>("--force") { Description = "Extract and chunk unchanged objects too" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Print progress until the run is done" };
        var interval = PollInterval.CreateOption();
        var command = new Command("reindex", "Trigger a reindex of a bucket and follow it") { bucket, prefix, force, follow, interval };
        console.SetAction(command, options, async (parse, api, ct) =>
        {
            var run = await api.PostAsync("api/reindex",
                new { bucket = parse.GetValue(bucket), prefix = parse.GetValue(prefix), force = parse.GetValue(force) }, ct);
            var id = DocumentListing.Text(run, "id");
            await console.Out.WriteLineAsync($"Reindex {id} started.");
            if (!parse.GetValue(follow)) return 0;

            var last = "";
            while (true)
            {
                var progress = Describe(run);
                if (progress != last) await console.Out.WriteLineAsync(progress);
                await console.Out.FlushAsync(ct);
                last = progress;
                switch (DocumentListing.Text(run, "status"))
                {
                    case "done": return 0;
                    case "failed": return await console.FailAsync($"Reindex {id} failed: {DocumentListing.Text(run, "error")}");
                }
                await Task.Delay(PollInterval.From(parse, interval), ct);
                run = await api.GetAsync($"api/reindex/{Uri.EscapeDataString(id)}", ct);
            }
        });
        return command;
    }

    private static string Describe(JsonElement run)
    {
        long Count(string name) => run.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
        return $"{DocumentListing.Text(run, "status")}: listed {Count("listed")}, queued {Count("queued")}, indexed {Count("indexed")}, " +
               $"skipped {Count("skipped")}, failed {Count("failed")}, removed {Count("removed")}, pending {Count("pending")}";
    }
}
