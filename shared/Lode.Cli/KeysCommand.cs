using System.CommandLine;
using System.Text.Json;

namespace Lode.Cli;

/// <summary><c>lode keys create|list|revoke</c>: API keys stored by the app (admin key required).</summary>
public static class KeysCommand
{
    public static Command Create(GlobalOptions options, CliConsole console)
    {
        var keys = new Command("keys", "Create, list and revoke API keys (needs an admin key)");
        keys.Subcommands.Add(CreateKey(options, console));
        keys.Subcommands.Add(ListKeys(options, console));
        keys.Subcommands.Add(RevokeKey(options, console));
        return keys;
    }

    private static Command CreateKey(GlobalOptions options, CliConsole console)
    {
        var name = new Option<string>("--name") { Description = "Who or what the key is for", Required = true };
        var groups = new Option<string[]>("--group") { Description = "A group the key reads as (repeat for more)", Required = true, AllowMultipleArgumentsPerToken = true };
        var expiresAt = new Option<DateTimeOffset?>("--expires-at") { Description = "When the key stops working (ISO 8601)" };
        var command = new Command("create", "Create a key; it is printed once, only its hash is stored") { name, groups, expiresAt };
        console.SetAction(command, options, async (parse, api, ct) =>
        {
            var created = await api.PostAsync("api/admin/keys",
                new { name = parse.GetValue(name), groups = parse.GetValue(groups), expiresAt = parse.GetValue(expiresAt) }, ct);
            await console.Out.WriteLineAsync($"Created key {DocumentListing.Text(created, "name")} (id {DocumentListing.Text(created, "id")}) for groups {Groups(created)}.");
            await console.Out.WriteLineAsync($"Key: {DocumentListing.Text(created, "key")}");
            await console.Out.WriteLineAsync("Store it now: it is not shown again.");
            return 0;
        });
        return command;
    }

    private static Command ListKeys(GlobalOptions options, CliConsole console)
    {
        var command = new Command("list", "List the keys (never a key itself)");
        console.SetAction(command, options, async (_, api, ct) =>
        {
            var list = await api.GetAsync("api/admin/keys", ct);
            foreach (var key in list.GetProperty("keys").EnumerateArray())
            {
                var state = key.GetProperty("revokedAt").ValueKind == JsonValueKind.String ? "revoked" : "active";
                await console.Out.WriteLineAsync($"{DocumentListing.Text(key, "id")}  {state,-7}  {DocumentListing.Text(key, "name")}  groups {Groups(key)}  created by {DocumentListing.Text(key, "createdBy")}");
            }
            return 0;
        });
        return command;
    }

    private static Command RevokeKey(GlobalOptions options, CliConsole console)
    {
        var id = new Argument<Guid>("id") { Description = "The key's id (from create or list)" };
        var command = new Command("revoke", "Revoke a key: refused from the next request on") { id };
        console.SetAction(command, options, async (parse, api, ct) =>
        {
            await api.DeleteAsync($"api/admin/keys/{parse.GetValue(id)}", ct);
            await console.Out.WriteLineAsync($"Revoked key {parse.GetValue(id)}.");
            return 0;
        });
        return command;
    }

    private static string Groups(JsonElement key) => string.Join(", ", key.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
}
