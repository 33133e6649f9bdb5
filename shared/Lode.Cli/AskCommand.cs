using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Lode.Cli;

/// <summary>
/// <c>lode ask</c>: one question to <c>api/chat</c> as a stream; the text is printed as it arrives, then the sources
/// as a numbered list (the ones the answer cited; all the sources found if it cited none).
/// </summary>
public static class AskCommand
{
    public static Command Create(GlobalOptions options, CliConsole console)
    {
        var question = new Argument<string[]>("question") { Description = "The question", Arity = ArgumentArity.OneOrMore };
        var bucket = new Option<string?>("--bucket") { Description = "Only search this bucket" };
        var prefix = new Option<string?>("--prefix") { Description = "Only search keys starting with this (literal)" };
        var command = new Command("ask", "Ask a question; the answer streams in, then its citations") { question, bucket, prefix };
        console.SetAction(command, options, async (parse, api, ct) =>
        {
            var body = new
            {
                messages = new[] { new { role = "user", content = string.Join(' ', parse.GetValue(question)!) } },
                stream = true,
                bucket = parse.GetValue(bucket),
                prefix = parse.GetValue(prefix),
            };
            var request = new HttpRequestMessage(HttpMethod.Post, "api/chat") { Content = JsonContent.Create(body, options: LodeApi.Json) };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            return await PrintAsync(await response.Content.ReadAsStreamAsync(ct), console, ct);
        });
        return command;
    }

    private static async Task<int> PrintAsync(Stream stream, CliConsole console, CancellationToken ct)
    {
        JsonElement found = default;
        await foreach (var (name, data) in ServerSentEventReader.ReadAsync(stream, ct))
        {
            switch (name)
            {
                case "citations":
                    found = data.GetProperty("citations");
                    break;
                case "delta":
                    await console.Out.WriteAsync(data.GetProperty("text").GetString());
                    await console.Out.FlushAsync(ct);
                    break;
                case "done":
                    await console.Out.WriteLineAsync();
                    var cited = data.TryGetProperty("citations", out var c) && c.GetArrayLength() > 0 ? c : found;
                    await PrintCitationsAsync(cited, console);
                    return 0;
                case "error":
                    await console.Out.WriteLineAsync();
                    return await console.FailAsync($"The answer stopped: {ErrorMessage(data)}");
            }
        }
        await console.Out.WriteLineAsync();
        return await console.FailAsync("The answer stream ended before it was complete.");
    }

    private static async Task PrintCitationsAsync(JsonElement citations, CliConsole console)
    {
        if (citations.ValueKind != JsonValueKind.Array || citations.GetArrayLength() == 0) return;
        await console.Out.WriteLineAsync();
        await console.Out.WriteLineAsync("Sources:");
        foreach (var citation in citations.EnumerateArray())
        {
            var source = PageSpan.Describe(DocumentListing.Text(citation, "bucket"), DocumentListing.Text(citation, "key"),
                citation.GetProperty("page").GetInt32(), citation.GetProperty("pageEnd").GetInt32());
            await console.Out.WriteLineAsync($"[{citation.GetProperty("number").GetInt32()}] {source}");
        }
    }

    private static string ErrorMessage(JsonElement data) =>
        data.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
            ? DocumentListing.Text(error, "message")
            : DocumentListing.Text(data, "message");
}
