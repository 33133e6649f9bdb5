using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Lode.Cli;

/// <summary>
/// <c>lode generations</c>: the index generations (current, building, previous) with their models and progress;
/// <c>--drop ID</c> drops one that is not current (admin key required).
/// </summary>
public static class GenerationsCommand
{
    public static Command Create(GlobalOptions options, CliConsole console)
    {
        var drop = new Option<int?>("--drop") { Description = "Drop this generation (a previous one, or a build to abandon) with its chunks" };
        var command = new Command("generations", "List the index generations and their progress, or drop one (needs an admin key)") { drop };
        console.SetAction(command, options, async (parse, api, ct) =>
        {
            if (parse.GetValue(drop) is { } id)
            {
                await api.DeleteAsync($"api/admin/generations/{id.ToString(CultureInfo.InvariantCulture)}", ct);
                await console.Out.WriteLineAsync($"Dropped index generation {id}.");
                return 0;
            }
            var list = await api.GetAsync("api/admin/generations", ct);
            foreach (var generation in list.GetProperty("generations").EnumerateArray())
            {
                await console.Out.WriteLineAsync(Describe(generation));
            }
            return 0;
        });
        return command;
    }

    private static string Describe(JsonElement g)
    {
        long Count(string name) => g.GetProperty(name).GetInt64();
        var progress = DocumentListing.Text(g, "state") == "building"
            ? $"{Count("done")} of {Count("documents")} documents done, {Count("toDo")} to do"
            : $"{Count("done")} of {Count("documents")} documents";
        return $"generation {Count("id")}  {DocumentListing.Text(g, "state"),-8}  {DocumentListing.Text(g, "model")} " +
               $"({Count("dimensions")} dimensions)  {progress}, {Count("chunks")} chunks";
    }
}
