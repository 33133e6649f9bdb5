using System.Net;
using System.Net.Http.Json;
using System.Text;
using Lode.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Lode.Tests.Security;

/// <summary>
/// At Information level — what sites run in production — the logs carry names, counts and timings, never document
/// text, questions, answers or secrets.
/// </summary>
public sealed class LogHygieneTests
{
    private const string DocumentSecret = "quokkamarmalade";
    private const string QuestionSecret = "zanzibarheliotrope";

    [Fact]
    public async Task Document_text_questions_and_secrets_never_reach_information_logs()
    {
        await using var stack = await LodeStack.StartAsync(null, null, "--Logging:LogLevel:Default=Information");
        await stack.PutAsync("notes/secret.md", Encoding.UTF8.GetBytes(
            $"# Merger plan\n\nThe code name of the acquisition is {DocumentSecret}. Nobody outside the board knows it."), "text/markdown");
        await stack.WaitForStatusAsync("notes/secret.md", "indexed");

        using (var search = await stack.Api.PostAsJsonAsync("api/search", new { query = $"{QuestionSecret} acquisition code name" }))
            Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        using (var chat = await stack.Api.PostAsJsonAsync("api/chat",
            new { messages = new[] { new { role = "user", content = $"What is the acquisition code name? {QuestionSecret}" } } }))
        {
            Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
            // The answer quotes the document, so the text did flow through the app while the logs were watched.
            Assert.Contains(DocumentSecret, await chat.Content.ReadAsStringAsync());
        }
        using (var refused = new HttpRequestMessage(HttpMethod.Get, "api/documents"))
        {
            refused.Headers.Authorization = new("Bearer", "wrong-key-that-must-not-be-logged-12345");
            using var response = await stack.Api.SendAsync(refused);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var entries = stack.App.Logs.Entries.Where(e => e.Level >= LogLevel.Information).ToList();
        Assert.Contains(entries, e => e.Message.Contains("notes/secret.md", StringComparison.Ordinal)); // logging was on
        string[] forbidden = [DocumentSecret, QuestionSecret, LodeStack.ApiKey, LodeStack.WebhookToken, "wrong-key-that-must-not-be-logged"];
        foreach (var entry in entries)
        {
            var text = entry.Message + entry.Exception;
            foreach (var secret in forbidden) Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{entry.Category} logged '{secret}': {text}");
        }
    }
}
