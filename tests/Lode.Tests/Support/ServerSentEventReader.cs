namespace Lode.Tests.Support;

/// <summary>Reads a text/event-stream response to its end as (event name, data) pairs; unnamed events are "message".</summary>
public static class ServerSentEventReader
{
    public static async Task<List<(string Name, string Data)>> ReadAllAsync(HttpResponseMessage response)
    {
        var events = new List<(string, string)>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? name = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) events.Add((name ?? "message", line[6..]));
        }
        return events;
    }
}
