using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Lode.Cli;

/// <summary>Reads a text/event-stream: each event's name and its JSON data, as the event completes (blank line).</summary>
public static class ServerSentEventReader
{
    public static async IAsyncEnumerable<(string Name, JsonElement Data)> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken ct)
    {
        using var reader = new StreamReader(stream);
        var name = "message";
        var data = new List<string>();
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Count > 0) yield return (name, JsonSerializer.Deserialize<JsonElement>(string.Join('\n', data), LodeApi.Json));
                name = "message";
                data.Clear();
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal)) name = line[6..].Trim();
            else if (line.StartsWith("data:", StringComparison.Ordinal)) data.Add(line[5..].TrimStart());
        }
    }
}
