using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lode.Chat;
using Lode.Tests.Support;

namespace Lode.Tests.Security;

/// <summary>A document of the access-controlled stack: where it is, the metadata it is uploaded with, and a word only it holds.</summary>
public sealed record ProtectedDocument(string Key, string Codeword, string[] ExpectedGroups, Dictionary<string, string>? Metadata = null);

/// <summary>A caller of the access-controlled stack and the documents it may read.</summary>
public sealed record Reader(string Name, string ApiKey, bool IsAdmin, params string[] Readable)
{
    public override string ToString() => Name;
}

/// <summary>
/// The real stack (S3 server, app, PostgreSQL) with access control configured as a site would: deny by default, a
/// prefix rule for hr/, a rule for another bucket that must not apply here, documents uploaded with and without
/// <c>x-amz-meta-lode-groups</c>, and callers with different groups.
/// </summary>
public sealed class AccessControlledStackFixture : IAsyncLifetime
{
    public static readonly ProtectedDocument[] Documents =
    [
        // Prefix rule only.
        new("hr/salaries.md", "Quokkaridge", ["hr"]),
        // Metadata and prefix rule add up.
        new("hr/handbook.md", "Wombatcrest", ["hr", "staff"], new() { ["lode-groups"] = "staff" }),
        // Metadata only, its name in another case, a list with spaces.
        new("board/budget.md", "Marmotfield", ["finance", "legal"], new() { ["Lode-Groups"] = " finance , legal" }),
        // The admin group reads a document only because the document names it.
        new("ops/runbook.md", "Ocelotspire", ["lode-admins"], new() { ["lode-groups"] = "lode-admins" }),
        // Covered by a rule of another bucket only, and by nothing at all: default deny.
        new("public/notice.md", "Pangolinmoor", []),
        new("misc/orphan.md", "Narwhalgate", []),
    ];

    public const string HrKey = "test-hr-key-0123456789abcdef";
    public const string BoardKey = "test-board-key-0123456789abcdef";
    public const string NoGroupsKey = "test-no-groups-key-0123456789abcdef";

    public static readonly Reader[] Readers =
    [
        new("staff", LodeStack.ApiKey, false, "hr/handbook.md"),
        new("hr", HrKey, false, "hr/handbook.md", "hr/salaries.md"),
        new("finance+legal", BoardKey, false, "board/budget.md"),
        new("admin", LodeStack.AdminApiKey, true, "ops/runbook.md"),
        new("no groups", NoGroupsKey, false),
    ];

    public const string Question = "What does the codeword in the quarterly policy report identify?";

    public LodeStack Stack { get; private set; } = null!;

    public static IEnumerable<object[]> ReaderNames() => Readers.Select(r => new object[] { r.Name });

    public static Reader ReaderNamed(string name) => Readers.Single(r => r.Name == name);

    public async Task InitializeAsync()
    {
        Stack = await LodeStack.StartAsync(null, null,
        [
            // The stack grants its test group to every document by default; a site that denies by default empties it.
            "--Access:DefaultGroups:0=",
            "--Access:PrefixRules:0:Prefix=hr/",
            "--Access:PrefixRules:0:Groups:0=hr",
            "--Access:PrefixRules:1:Bucket=elsewhere",
            "--Access:PrefixRules:1:Prefix=public/",
            "--Access:PrefixRules:1:Groups:0=staff",
            .. TestReaders.ApiKeyArgs("hr-reader", HrKey, "hr"),
            .. TestReaders.ApiKeyArgs("board", BoardKey, "finance", "legal"),
            .. TestReaders.ApiKeyArgs("no-groups", NoGroupsKey),
        ]);
        foreach (var document in Documents)
        {
            var text = $"""
                # Quarterly policy report

                The codeword {document.Codeword} identifies the quarterly policy report kept at {document.Key}.
                Quarterly policy reports cover travel, budgets and staffing for the coming quarter.
                """;
            await Stack.PutAsync(document.Key, Encoding.UTF8.GetBytes(text), "text/markdown", document.Metadata);
        }
        foreach (var document in Documents) await Stack.WaitForStatusAsync(document.Key, "indexed");
    }

    public async Task DisposeAsync() => await Stack.DisposeAsync();
}

/// <summary>
/// Every surface that reads documents, asked by callers with different groups: nobody sees, is cited or gets text from
/// a document outside their groups, and everybody gets what their groups may read.
/// </summary>
public sealed class AccessControlEndToEndTests(AccessControlledStackFixture fixture) : IClassFixture<AccessControlledStackFixture>
{
    private LodeStack Stack => fixture.Stack;

    [Fact]
    public async Task Documents_get_their_groups_from_metadata_and_prefix_rules_and_none_by_default()
    {
        foreach (var document in AccessControlledStackFixture.Documents)
        {
            var shown = (await Stack.GetDocumentAsync(document.Key))!.Value;
            Assert.Equal("indexed", shown.GetProperty("status").GetString());
            Assert.True(shown.GetProperty("chunks").GetInt32() >= 1);
            Assert.Equal(document.ExpectedGroups, shown.GetProperty("readGroups").EnumerateArray().Select(g => g.GetString()));
        }
    }

    [Theory]
    [MemberData(nameof(AccessControlledStackFixture.ReaderNames), MemberType = typeof(AccessControlledStackFixture))]
    public async Task Search_finds_exactly_the_readable_documents_in_every_mode(string readerName)
    {
        var reader = AccessControlledStackFixture.ReaderNamed(readerName);
        using var client = Stack.ClientFor(reader.ApiKey);

        foreach (var mode in new[] { "hybrid", "vector", "text" })
        {
            using var response = await client.PostAsJsonAsync("api/search", new { query = AccessControlledStackFixture.Question, top = 50, mode });
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadAsStringAsync();

            AssertNothingForeign(reader, body);
            var keys = JsonDocument.Parse(body).RootElement.GetProperty("results").EnumerateArray()
                .Select(r => r.GetProperty("key").GetString()).Distinct().Order(StringComparer.Ordinal);
            Assert.Equal(reader.Readable.Order(StringComparer.Ordinal), keys);
        }
    }

    [Theory]
    [MemberData(nameof(AccessControlledStackFixture.ReaderNames), MemberType = typeof(AccessControlledStackFixture))]
    public async Task Chat_answers_and_cites_only_from_readable_documents(string readerName)
    {
        var reader = AccessControlledStackFixture.ReaderNamed(readerName);
        using var client = Stack.ClientFor(reader.ApiKey);
        var messages = new[] { new { role = "user", content = AccessControlledStackFixture.Question } };

        using var answered = await client.PostAsJsonAsync("api/chat", new { messages });
        answered.EnsureSuccessStatusCode();
        var body = await answered.Content.ReadAsStringAsync();
        AssertNothingForeign(reader, body);
        var answer = JsonDocument.Parse(body).RootElement;
        var cited = answer.GetProperty("citations").EnumerateArray().Select(c => c.GetProperty("key").GetString()).ToList();
        Assert.All(cited, key => Assert.Contains(key, reader.Readable));
        if (reader.Readable.Length == 0)
        {
            Assert.Equal(ChatService.NoSourcesAnswer, answer.GetProperty("answer").GetString());
        }
        else
        {
            Assert.NotEmpty(cited);
            var text = answer.GetProperty("answer").GetString()!;
            Assert.Contains(CodewordsOf(reader.Readable), codeword => text.Contains(codeword, StringComparison.Ordinal));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "api/chat") { Content = JsonContent.Create(new { messages, stream = true }) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var streamed = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = await ServerSentEventReader.ReadAllAsync(streamed);
        AssertNothingForeign(reader, string.Join('\n', events.Select(e => e.Data)));
        // The first event lists every source the answer may draw on: exactly the readable documents.
        Assert.Equal("citations", events[0].Name);
        var sources = JsonDocument.Parse(events[0].Data).RootElement.GetProperty("citations").EnumerateArray().Select(c => c.GetProperty("key").GetString());
        Assert.Equal(reader.Readable.Order(StringComparer.Ordinal), sources.Distinct().Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(AccessControlledStackFixture.ReaderNames), MemberType = typeof(AccessControlledStackFixture))]
    public async Task OpenAI_chat_completions_answer_only_from_readable_documents(string readerName)
    {
        var reader = AccessControlledStackFixture.ReaderNamed(readerName);
        using var client = Stack.ClientFor(reader.ApiKey);

        foreach (var stream in new[] { false, true })
        {
            using var response = await client.PostAsJsonAsync("v1/chat/completions", new
            {
                model = "lode",
                stream,
                messages = new[] { new { role = "user", content = AccessControlledStackFixture.Question } },
            });
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadAsStringAsync();

            AssertNothingForeign(reader, body);
            if (reader.Readable.Length > 0) Assert.Contains(CodewordsOf(reader.Readable), codeword => body.Contains(codeword, StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(AccessControlledStackFixture.ReaderNames), MemberType = typeof(AccessControlledStackFixture))]
    public async Task Documents_are_listed_and_shown_only_to_their_readers_and_every_one_to_admins(string readerName)
    {
        var reader = AccessControlledStackFixture.ReaderNamed(readerName);
        using var client = Stack.ClientFor(reader.ApiKey);
        var visible = reader.IsAdmin ? AccessControlledStackFixture.Documents.Select(d => d.Key).ToArray() : reader.Readable;

        var listed = await client.GetFromJsonAsync<JsonElement>("api/documents");
        Assert.Equal(visible.Order(StringComparer.Ordinal),
            listed.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("key").GetString()));
        if (!reader.IsAdmin) AssertNothingForeign(reader, listed.GetRawText());

        foreach (var document in AccessControlledStackFixture.Documents)
        {
            using var response = await client.GetAsync(LodeStack.DocumentPath(document.Key));
            // An unreadable document is not known to the caller at all: the same 404 as a key that does not exist.
            Assert.Equal(visible.Contains(document.Key) ? HttpStatusCode.OK : HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    private static IEnumerable<string> CodewordsOf(IEnumerable<string> keys) =>
        AccessControlledStackFixture.Documents.Where(d => keys.Contains(d.Key)).Select(d => d.Codeword);

    /// <summary>No trace of any document the reader may not read: neither its text (its codeword) nor its name.</summary>
    private static void AssertNothingForeign(Reader reader, string body)
    {
        foreach (var document in AccessControlledStackFixture.Documents.Where(d => !reader.Readable.Contains(d.Key)))
        {
            Assert.DoesNotContain(document.Codeword, body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(document.Key, body, StringComparison.Ordinal);
        }
    }
}
