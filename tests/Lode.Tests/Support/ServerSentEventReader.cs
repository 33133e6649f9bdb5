namespace Lode.Tests.Support;

/// <summary>Reads a text/event-stream response to its end as (event name, data) pairs; unnamed events are "message".</summary>
public static class ServerSentEventReader
{
    public static async Task<List<(string Name, string Data)>> ReadAllAsync(HttpResponseMessage response) =>
        (await ReadToCloseAsync(response, tolerateAbort: false)).Events;

    /// <summary>
    /// Reads until the server ends the stream, cleanly or by dropping the connection (a server may reset it after an
    /// error it reported in the stream); <c>Aborted</c> says which.
    /// </summary>
    public static Task<(List<(string Name, string Data)> Events, bool Aborted)> ReadUntilClosedAsync(HttpResponseMessage response) =>
        ReadToCloseAsync(response, tolerateAbort: true);

    private static async Task<(List<(string Name, string Data)> Events, bool Aborted)> ReadToCloseAsync(HttpResponseMessage response, bool tolerateAbort)
    {
        var events = new List<(string, string)>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? name = null;
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal)) events.Add((name ?? "message", line[6..]));
            }
        }
        catch (IOException) when (tolerateAbort)
        {
            return (events, true);
        }

        return (events, false);
    }
}
