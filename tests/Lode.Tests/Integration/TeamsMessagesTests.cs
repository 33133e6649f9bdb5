using System.Net;
using System.Text;
using System.Text.Json;
using Lode.Chat.Answering;
using Lode.Chat.Models;
using Lode.Teams;
using Lode.Tests.Chat;
using Lode.Tests.Hosting;
using Lode.Tests.Support;
using Lode.Tests.Teams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lode.Tests.Integration;

/// <summary>
/// A stack with the Teams webhook configured, two Teams users mapped to two groups, and one document per group
/// (read groups from the objects' <c>x-amz-meta-lode-groups</c>). No language model: answers are extractive.
/// </summary>
public sealed class TeamsStackFixture : IAsyncLifetime
{
    public const string HrUser = "d6c1bd53-9d04-4e0d-a2e0-1c1bdfb1c9a0";
    public const string FinanceUser = "5e7a0c3b-3f6d-4b1e-8a2d-9c0b1a2f3e4d";
    public const string HrDocument = "hr/leave-policy.md";
    public const string FinanceDocument = "finance/leave-accounting.md";

    public string Token { get; } = TeamsWebhook.NewSecurityToken();
    public LodeStack Stack { get; private set; } = null!;

    /// <summary>A client without the stack's API key: Teams sends only its signature.</summary>
    public HttpClient Teams { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stack = await LodeStack.StartAsync(null, null,
            $"--Teams:SecurityToken={Token}",
            $"--Teams:UserGroups:{HrUser}:0=hr",
            $"--Teams:UserGroups:{FinanceUser}:0=finance",
            $"--Logging:LogLevel:{typeof(TeamsMessageHandler).Namespace}=Debug");
        Teams = new HttpClient { BaseAddress = Stack.Api.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        await PutAsync(HrDocument, "hr", """
            # Leave policy

            Every employee is entitled to 27 days of annual leave per calendar year. Leave requests are approved by
            the line manager.
            """);
        await PutAsync(FinanceDocument, "finance", """
            # Accounting for leave

            Unused annual leave days are booked as a liability at year end. Annual leave is never paid out, except
            when an employee leaves the company.
            """);
        await WaitUntilIndexedWithGroupsAsync($"{FinanceDocument}:finance {HrDocument}:hr");
    }

    // The documents API shows a document only to its readers, so the wait looks in the database, where the read
    // groups taken from the metadata can be checked as well.
    private async Task WaitUntilIndexedWithGroupsAsync(string expected)
    {
        const string indexedSql = """
            SELECT coalesce(string_agg(key || ':' || array_to_string(read_groups, ','), ' ' ORDER BY key), '')
            FROM documents WHERE status = 'indexed'
            """;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        string indexed;
        while ((indexed = await Stack.Database.ScalarAsync<string>(indexedSql)) != expected)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Expected indexed documents '{expected}', found '{indexed}'.");
            await Task.Delay(150);
        }
    }

    private async Task PutAsync(string key, string groups, string markdown)
    {
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(markdown));
        await Stack.Store.PutAsync(LodeStack.Bucket, key, content, "text/markdown", default,
            new Dictionary<string, string> { ["lode-groups"] = groups });
    }

    public async Task DisposeAsync()
    {
        Teams.Dispose();
        await Stack.DisposeAsync();
    }
}

/// <summary>POST api/teams/messages over a real stack, with activities signed exactly as Teams signs them.</summary>
public sealed class TeamsMessagesTests(TeamsStackFixture fixture) : IClassFixture<TeamsStackFixture>
{
    private const string Question = "How many days of annual leave do employees get?";

    [Fact]
    public async Task A_signed_question_is_answered_with_a_message_citing_only_documents_the_user_may_read()
    {
        var text = await AnswerAsync(TeamsStackFixture.HrUser, Question);

        Assert.StartsWith(ExtractiveAnswerer.Label, text);
        Assert.Contains("27 days of annual leave", text);
        Assert.Contains($"[1] `{LodeStack.Bucket}/{TeamsStackFixture.HrDocument}`, p. 1", text);
        Assert.DoesNotContain("finance", text);
        Assert.DoesNotContain("liability", text);
    }

    [Fact]
    public async Task A_question_from_Teams_is_in_the_audit_trail_with_the_user_and_the_cited_document()
    {
        var marker = "Teams audit " + Guid.NewGuid().ToString("N");
        await AnswerAsync(TeamsStackFixture.HrUser, Question + " " + marker);

        await using var row = fixture.Stack.Database.DataSource.CreateCommand(
            "SELECT caller, auth_method, surface, sources::text FROM audit_events WHERE question LIKE '%' || $1 || '%'");
        row.Parameters.Add(new() { Value = marker });
        await using var reader = await row.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "no audit row for the Teams question");
        Assert.Equal("teams:" + TeamsStackFixture.HrUser, reader.GetString(0));
        Assert.Equal("teams-hmac", reader.GetString(1));
        Assert.Equal("teams", reader.GetString(2));
        Assert.Contains(TeamsStackFixture.HrDocument, reader.GetString(3));
        Assert.DoesNotContain(TeamsStackFixture.FinanceDocument, reader.GetString(3));
        Assert.False(await reader.ReadAsync(), "one question, one row");
    }

    [Fact]
    public async Task The_same_question_from_a_user_of_another_group_cites_that_groups_document_only()
    {
        var text = await AnswerAsync(TeamsStackFixture.FinanceUser, Question);

        Assert.Contains("liability", text);
        Assert.Contains($"`{LodeStack.Bucket}/{TeamsStackFixture.FinanceDocument}`", text);
        Assert.DoesNotContain(TeamsStackFixture.HrDocument, text);
        Assert.DoesNotContain("27 days", text);
    }

    [Fact]
    public async Task A_user_without_configured_groups_gets_a_reply_without_sources()
    {
        const string stranger = "0a4c8f2e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";

        var text = await AnswerAsync(stranger, Question);

        Assert.Contains("no access", text);
        Assert.Contains(stranger, text);
        Assert.DoesNotContain("Sources", text);
        Assert.DoesNotContain(LodeStack.Bucket + "/", text);
    }

    [Fact]
    public async Task A_message_with_only_the_mention_gets_a_friendly_reply() =>
        Assert.Equal(TeamsReply.EmptyQuestionText, await AnswerAsync(TeamsStackFixture.HrUser, "&nbsp;"));

    [Fact]
    public async Task A_signature_made_with_another_token_is_refused_with_401()
    {
        var body = TeamsWebhook.Message(TeamsStackFixture.HrUser, Question);

        await AssertRefusedAsync(body, TeamsWebhook.Sign(TeamsWebhook.NewSecurityToken(), body), "unauthorized");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("HMAC ")]
    [InlineData("Bearer " + LodeStack.ApiKey)]
    public async Task A_request_without_a_Teams_signature_is_refused_with_401_even_with_an_API_key(string? authorization) =>
        await AssertRefusedAsync(TeamsWebhook.Message(TeamsStackFixture.HrUser, Question), authorization, "unauthorized");

    [Fact]
    public async Task A_body_changed_after_signing_is_refused_and_does_not_use_up_the_activity()
    {
        var body = TeamsWebhook.Message(TeamsStackFixture.HrUser, Question);
        var signature = TeamsWebhook.Sign(fixture.Token, body);
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace(TeamsStackFixture.HrUser, TeamsStackFixture.FinanceUser));

        await AssertRefusedAsync(tampered, signature, "unauthorized");

        using var genuine = await fixture.Teams.SendAsync(TeamsWebhook.Post(body, signature));
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
    }

    [Fact]
    public async Task A_correctly_signed_activity_sent_too_long_ago_is_refused_with_401()
    {
        var body = TeamsWebhook.Message(TeamsStackFixture.HrUser, Question, DateTimeOffset.UtcNow.AddMinutes(-6));

        await AssertRefusedAsync(body, TeamsWebhook.Sign(fixture.Token, body), "stale_activity");
    }

    [Fact]
    public async Task A_replayed_activity_is_refused_with_401()
    {
        var body = TeamsWebhook.Message(TeamsStackFixture.HrUser, Question);
        var signature = TeamsWebhook.Sign(fixture.Token, body);

        using var first = await fixture.Teams.SendAsync(TeamsWebhook.Post(body, signature));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await AssertRefusedAsync(body, signature, "replayed_activity");
    }

    [Fact]
    public async Task Questions_and_the_token_are_logged_at_Debug_only()
    {
        var marker = "Zanzibar" + Guid.NewGuid().ToString("N");

        await AnswerAsync(TeamsStackFixture.HrUser, $"Is {marker} a leave type?");

        var entries = fixture.Stack.App.Logs.Entries.ToList();
        Assert.Contains(entries, e => e.Level == LogLevel.Debug && e.Message.Contains(marker, StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Level > LogLevel.Debug && e.Message.Contains(marker, StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Message.Contains(fixture.Token, StringComparison.Ordinal));
    }

    private async Task<string> AnswerAsync(string user, string question)
    {
        var body = TeamsWebhook.Message(user, question);
        using var response = await fixture.Teams.SendAsync(TeamsWebhook.Post(body, TeamsWebhook.Sign(fixture.Token, body)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("message", reply.GetProperty("type").GetString());
        return reply.GetProperty("text").GetString()!;
    }

    private async Task AssertRefusedAsync(byte[] body, string? authorization, string code)
    {
        using var response = await fixture.Teams.SendAsync(TeamsWebhook.Post(body, authorization));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(code, (await StandaloneHttpTests.ErrorOf(response)).Code);
    }
}

/// <summary>A stack whose language model never finishes: Teams still gets an answer in time, quoted from the sources.</summary>
public sealed class TeamsSlowModelFixture : IAsyncLifetime
{
    public const string User = "d6c1bd53-9d04-4e0d-a2e0-1c1bdfb1c9a0";

    public string Token { get; } = TeamsWebhook.NewSecurityToken();
    public StalledModel Model { get; } = StalledModel.NeverFinishing();
    public LodeStack Stack { get; private set; } = null!;
    public HttpClient Teams { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stack = await LodeStack.StartAsync(null, services => services.AddSingleton<ILanguageModel>(Model),
            $"--Teams:SecurityToken={Token}",
            $"--Teams:UserGroups:{User}:0={TestReaders.Group}",
            "--Teams:AnswerBudgetSeconds=0.5");
        Teams = new HttpClient { BaseAddress = Stack.Api.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        await Stack.PutAsync("hr/leave-policy.md", Encoding.UTF8.GetBytes(
            "# Leave\n\nEvery employee is entitled to 27 days of annual leave. Requests go to the line manager."), "text/markdown");
        await Stack.WaitForStatusAsync("hr/leave-policy.md", "indexed");
    }

    public async Task DisposeAsync()
    {
        Teams.Dispose();
        await Stack.DisposeAsync();
    }
}

public sealed class TeamsSlowModelTests(TeamsSlowModelFixture fixture) : IClassFixture<TeamsSlowModelFixture>
{
    [Fact]
    public async Task When_the_model_cannot_answer_in_time_the_reply_quotes_the_sources_and_says_so()
    {
        var body = TeamsWebhook.Message(TeamsSlowModelFixture.User, "How many days of annual leave?");

        using var response = await fixture.Teams.SendAsync(TeamsWebhook.Post(body, TeamsWebhook.Sign(fixture.Token, body)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("text").GetString()!;
        Assert.StartsWith(ExtractiveAnswerer.TooSlowLabel, text);
        Assert.Contains("27 days of annual leave", text);
        Assert.Contains($"[1] `{LodeStack.Bucket}/hr/leave-policy.md`, p. 1", text);
        Assert.True(fixture.Model.Requests > 0);
        Assert.True(fixture.Model.GenerationCancelled);
    }
}
