using System.Net.Http.Json;
using System.Text.Json;
using Lode.Audit;
using Microsoft.Extensions.Options;

namespace Lode.Tests.Audit;

/// <summary>Audit:TextRetention decides what text is written at all; everything else is recorded whatever it says.</summary>
public sealed class AuditRetentionTests
{
    private const string Question = "Which retention rules apply to the payroll archive?";

    private static async Task<string> AskAsync(AuditedApp app)
    {
        using var response = await app.Api.PostAsJsonAsync("api/chat", new { messages = new[] { new { role = "user", content = Question } } });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("answer").GetString()!;
    }

    [Theory]
    [InlineData("none", false, false)]
    [InlineData("question", true, false)]
    [InlineData("question-and-answer", true, true)]
    public async Task Only_the_text_the_setting_keeps_is_stored(string retention, bool keepsQuestion, bool keepsAnswer)
    {
        await using var app = await AuditedApp.StartAsync(null, $"--Audit:TextRetention={retention}");

        var answer = await AskAsync(app);

        var row = Assert.Single(await app.RowsAsync());
        Assert.Equal(keepsQuestion ? Question : null, row.Question);
        Assert.Equal(keepsAnswer ? answer : null, row.Answer);
        Assert.Equal(answer.Length, row.AnswerChars);
        Assert.Equal((AuditedApp.Caller, AuditSurfaces.Chat, "nosources", AuditOutcomes.Ok), (row.Caller, row.Surface, row.AnswerMode, row.Outcome));
    }

    [Fact]
    public async Task Nothing_is_recorded_when_the_trail_is_off()
    {
        await using var app = await AuditedApp.StartAsync(null, "--Audit:Enabled=false");

        await AskAsync(app);

        Assert.Empty(await app.RowsAsync());
    }

    [Fact]
    public async Task An_unknown_retention_stops_the_app_at_start_up_naming_the_setting()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => AuditedApp.StartAsync(null, "--Audit:TextRetention=everything"));

        Assert.Contains("Audit:TextRetention", error.Message);
    }
}
