using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lode.Audit;
using Lode.Tests.Cli;
using Lode.Tests.Retrieval;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Lode.Tests.Evaluation;

/// <summary>
/// <c>lode eval</c> and <c>POST api/admin/eval</c> against the real app, S3 server, PostgreSQL and embedder, over the
/// documents of <see cref="IndexedStackFixture"/>: the 12-page handbook (page N holds the word pagemarkerNN) and the
/// canteen note. The numbers are checked against a hand computation from the ranks <c>api/search</c> gives the same
/// caller for the same questions.
/// </summary>
public sealed class EvaluationEndToEndTests(IndexedStackFixture fixture, ITestOutputHelper output) : IClassFixture<IndexedStackFixture>
{
    private const int Top = 3;
    private static readonly string[] Modes = ["hybrid", "vector", "text"];

    private sealed record Asked(string Question, string Document, int[] Pages, string[]? Tags, string Id);

    private static readonly Asked[] Questions =
    [
        new("pagemarker07", "handbook.pdf", [7], ["marker"], "m7"),
        new("pagemarker03", "manuals/handbook.pdf", [3], ["marker"], "m3"),
        new("When does the canteen close on Fridays?", "canteen.md", [1], ["paraphrase"], "canteen"),
        // Only page 9 holds the word, and page 1 is asked for: whatever comes back is not the answer in text mode.
        new("pagemarker09", "handbook.pdf", [1], ["marker"], "wrong-page"),
        // No such document: a miss in every mode.
        new("How many days of annual leave do I get?", "hr/leave-policy.pdf", [1], null, "absent"),
    ];

    private LodeStack Stack => fixture.Stack;

    [Fact]
    public async Task Lode_eval_prints_and_reports_what_a_hand_computation_from_the_search_ranks_gives()
    {
        var folder = Directory.CreateTempSubdirectory("lode-eval-");
        try
        {
            var file = Path.Combine(folder.FullName, "questions.jsonl");
            await File.WriteAllTextAsync(file, QuestionFile(Questions));
            var run = await CliRun.RunAsync(Stack, LodeStack.ReaderAdminApiKey, "eval", file, "--bucket", LodeStack.Bucket, "--top", $"{Top}");
            Assert.True(run.ExitCode == 0, run.ToString());
            output.WriteLine(run.Output);

            var ranks = await HandRanksAsync();
            Assert.Equal([1, 1, 0, 0], new[] { 0, 1, 3, 4 }.Select(i => ranks["text"][i]));   // the marker words, found by text alone
            Assert.All(Modes, mode => Assert.Equal(0, ranks[mode][4]));

            var reportPath = Path.Combine(folder.FullName, "questions.report.json");
            Assert.Contains($"Report written to {reportPath}.", run.Output);
            using var report = JsonDocument.Parse(await File.ReadAllTextAsync(reportPath));
            AssertReportMatches(report.RootElement, ranks);
            AssertPrintedTables(run.Output, ranks);
            AssertPrintedMiss(run.Output, report.RootElement);
            await AssertOneAuditRowAsync(report.RootElement);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_endpoint_answers_the_report_as_json_for_the_modes_asked()
    {
        var (status, body) = await PostAsync(LodeStack.ReaderAdminApiKey, new { questions = Questions.Take(2).Select(Line), bucket = LodeStack.Bucket, top = 1, modes = new[] { "TEXT" } });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal((1, 10, "docs"), (body.GetProperty("top").GetInt32(), body.GetProperty("depth").GetInt32(), body.GetProperty("bucket").GetString()));
        var mode = Assert.Single(body.GetProperty("modes").EnumerateArray());
        Assert.Equal("text", mode.GetProperty("mode").GetString());
        var overall = mode.GetProperty("overall");
        Assert.Equal((2, 1.0, 1.0), (overall.GetProperty("questions").GetInt32(), overall.GetProperty("hitAt1").GetDouble(), overall.GetProperty("mrr").GetDouble()));
        Assert.Equal("marker", mode.GetProperty("tags")[0].GetProperty("tag").GetString());
        var first = body.GetProperty("questions")[0];
        Assert.Equal(("m7", 1), (first.GetProperty("question").GetProperty("id").GetString(), first.GetProperty("ranks").GetProperty("text").GetInt32()));
        Assert.Empty(body.GetProperty("misses").EnumerateArray());
    }

    [Fact]
    public async Task Searches_read_as_the_caller_an_admin_outside_the_readers_group_finds_nothing()
    {
        var (status, body) = await PostAsync(LodeStack.AdminApiKey, new { questions = Questions.Take(1).Select(Line), modes = new[] { "text", "hybrid" } });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.All(body.GetProperty("modes").EnumerateArray(), m => Assert.Equal(0, m.GetProperty("overall").GetProperty("hitAt10").GetDouble()));
        Assert.All(body.GetProperty("misses").EnumerateArray(), m => Assert.Empty(m.GetProperty("returned").EnumerateArray()));
    }

    public static TheoryData<string, string, string> InvalidBodies()
    {
        var ok = JsonSerializer.Serialize(Line(Questions[0]));
        return new()
        {
            { "{}", "invalid_questions", "questions must list at least one" },
            { """{"questions": []}""", "invalid_questions", "questions must list at least one" },
            { $$"""{"questions": [{{string.Join(',', Enumerable.Repeat(ok, 2001))}}]}""", "invalid_questions", "at most 2000 questions" },
            { $$"""{"questions": [{{ok}}, {"question": "q", "document": "a.pdf", "pages": [0]}]}""", "invalid_question", "question 2: pages must be physical page numbers" },
            { $$"""{"questions": [{{ok}}, null]}""", "invalid_question", "question 2: must be" },
            { $$"""{"questions": [{"question": "{{new string('q', 2001)}}", "document": "a.pdf", "pages": [1]}]}""", "invalid_question", "question 1: question must be at most 2000 characters" },
            { $$"""{"questions": [{{ok}}], "top": 0}""", "invalid_top", "from 1 to 50" },
            { $$"""{"questions": [{{ok}}], "top": 51}""", "invalid_top", "from 1 to 50" },
            { $$"""{"questions": [{{ok}}], "modes": ["fuzzy"]}""", "invalid_mode", "hybrid, vector, text" },
            { $$"""{"questions": [{{ok}}], "modes": []}""", "invalid_mode", "hybrid, vector, text" },
            { $$"""{"questions": [{"question": "q", "document": "a.pdf", "pages": "three"}]}""", "invalid_json", "not valid JSON" },
            { "questions", "invalid_json", "not valid JSON" },
        };
    }

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task An_invalid_body_is_400_with_its_code_and_leaves_no_audit_row(string json, string code, string message)
    {
        var rowsBefore = await EvaluationRowsAsync();
        using var client = Stack.ClientFor(LodeStack.ReaderAdminApiKey);
        using var response = await client.PostAsync("api/admin/eval", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Contains(message, error.GetProperty("message").GetString());
        Assert.Equal(rowsBefore.Count, (await EvaluationRowsAsync()).Count);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_and_callers_without_credentials_or_outside_the_admin_group_are_refused()
    {
        using var admin = Stack.ClientFor(LodeStack.ReaderAdminApiKey);
        using var huge = await admin.PostAsync("api/admin/eval", new StringContent(new string(' ', (8 << 20) + 1), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);

        var body = new { questions = Questions.Take(1).Select(Line) };
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(LodeStack.ApiKey, body)).Status);
        using var anonymous = new HttpClient { BaseAddress = Stack.Api.BaseAddress };
        using var refused = await anonymous.PostAsJsonAsync("api/admin/eval", body);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Lode_eval_names_the_first_bad_line_and_sends_nothing()
    {
        var folder = Directory.CreateTempSubdirectory("lode-eval-bad-");
        try
        {
            var file = Path.Combine(folder.FullName, "questions.jsonl");
            await File.WriteAllTextAsync(file, QuestionFile(Questions[..1]) + """{"question": "q", "document": "a.pdf", "pages": [0]}""" + "\n");
            var rowsBefore = await EvaluationRowsAsync();

            var run = await CliRun.RunAsync(Stack, LodeStack.ReaderAdminApiKey, "eval", file);

            Assert.Equal(1, run.ExitCode);
            // Line 2 is blank (QuestionFile separates questions by one): it is skipped, but counted.
            Assert.Equal("questions.jsonl: line 3: pages must be physical page numbers, counted from 1.", run.Error.Trim());
            Assert.Empty(run.Output);
            Assert.False(File.Exists(Path.Combine(folder.FullName, "questions.report.json")));
            Assert.Equal(rowsBefore.Count, (await EvaluationRowsAsync()).Count);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Lode_eval_with_a_key_outside_the_admin_group_stops_with_one_sentence()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, QuestionFile(Questions[..1]));
            var run = await CliRun.RunAsync(Stack, LodeStack.ApiKey, "eval", file, "--report", file + ".json");

            Assert.Equal(1, run.ExitCode);
            Assert.Equal("This API key may not do that (403). This endpoint is for administrators; your credentials are not in the admin group.",
                run.Error.Trim());
            Assert.False(File.Exists(file + ".json"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static object Line(Asked q) => new { question = q.Question, document = q.Document, pages = q.Pages, tags = q.Tags, id = q.Id };

    private static string QuestionFile(IEnumerable<Asked> questions) =>
        string.Concat(questions.Select(q => JsonSerializer.Serialize(Line(q)) + "\n\n"));

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string key, object body)
    {
        using var client = Stack.ClientFor(key);
        using var response = await client.PostAsJsonAsync("api/admin/eval", body);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>Each question's rank by mode, by hand: the first result of api/search (same caller, bucket, 10 results) from the document holding a page asked for.</summary>
    private async Task<Dictionary<string, int[]>> HandRanksAsync()
    {
        using var client = Stack.ClientFor(LodeStack.ReaderAdminApiKey);
        var ranks = new Dictionary<string, int[]>();
        foreach (var mode in Modes)
        {
            ranks[mode] = new int[Questions.Length];
            for (var i = 0; i < Questions.Length; i++)
            {
                using var response = await client.PostAsJsonAsync("api/search", new { query = Questions[i].Question, top = 10, bucket = LodeStack.Bucket, mode });
                response.EnsureSuccessStatusCode();
                var results = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").EnumerateArray().ToList();
                ranks[mode][i] = 1 + results.FindIndex(r => Answers(Questions[i], r));
            }
        }
        return ranks;
    }

    private static bool Answers(Asked q, JsonElement result)
    {
        var key = result.GetProperty("key").GetString()!;
        var (page, pageEnd) = (result.GetProperty("page").GetInt32(), result.GetProperty("pageEnd").GetInt32());
        return (key == q.Document || key.EndsWith("/" + q.Document, StringComparison.Ordinal)) && q.Pages.Any(p => page <= p && p <= pageEnd);
    }

    /// <summary>hit@1, hit@3, hit@5, hit@10 and MRR of the questions <paramref name="among"/> (all by default).</summary>
    private static double[] HandMetrics(int[] ranks, Func<Asked, bool>? among = null)
    {
        var chosen = ranks.Where((_, i) => among?.Invoke(Questions[i]) ?? true).ToArray();
        double Hits(int k) => chosen.Count(r => r >= 1 && r <= k) / (double)chosen.Length;
        return [Hits(1), Hits(3), Hits(5), Hits(10), chosen.Sum(r => r == 0 ? 0 : 1.0 / r) / chosen.Length];
    }

    private static readonly string[] MetricNames = ["hitAt1", "hitAt3", "hitAt5", "hitAt10", "mrr"];

    private static double[] MetricsIn(JsonElement metrics) => MetricNames.Select(name => metrics.GetProperty(name).GetDouble()).ToArray();

    private static void AssertReportMatches(JsonElement report, Dictionary<string, int[]> ranks)
    {
        Assert.Equal((Top, 10, LodeStack.Bucket), (report.GetProperty("top").GetInt32(), report.GetProperty("depth").GetInt32(), report.GetProperty("bucket").GetString()));
        var modes = report.GetProperty("modes").EnumerateArray().ToList();
        Assert.Equal(Modes, modes.Select(m => m.GetProperty("mode").GetString()));
        foreach (var mode in modes)
        {
            var name = mode.GetProperty("mode").GetString()!;
            Assert.Equal(ranks[name], report.GetProperty("questions").EnumerateArray().Select(q => q.GetProperty("ranks").GetProperty(name).GetInt32()));
            Assert.Equal(HandMetrics(ranks[name]), MetricsIn(mode.GetProperty("overall")), new PrecisionComparer());
            var tags = mode.GetProperty("tags").EnumerateArray().ToList();
            Assert.Equal(["marker", "paraphrase"], tags.Select(t => t.GetProperty("tag").GetString()));
            Assert.Equal(HandMetrics(ranks[name], q => q.Tags?.Contains("marker") == true), MetricsIn(tags[0].GetProperty("metrics")), new PrecisionComparer());
            Assert.Equal(HandMetrics(ranks[name], q => q.Tags?.Contains("paraphrase") == true), MetricsIn(tags[1].GetProperty("metrics")), new PrecisionComparer());
        }
        var expectedMisses = Modes.SelectMany(mode => ranks[mode].Select((rank, i) => (mode, Number: i + 1, rank)).Where(m => m.rank == 0 || m.rank > Top));
        Assert.Equal(expectedMisses, report.GetProperty("misses").EnumerateArray()
            .Select(m => (m.GetProperty("mode").GetString()!, m.GetProperty("number").GetInt32(), m.GetProperty("rank").GetInt32())));
    }

    private static void AssertPrintedTables(string output, Dictionary<string, int[]> ranks)
    {
        Assert.StartsWith($"Evaluating {Questions.Length} questions", output);
        string Row(params string[] cells) => "^" + string.Join(@"\s+", cells.Select(Regex.Escape)) + "$";
        string[] Numbers(double[] metrics) => metrics.Select(m => m.ToString("0.000", CultureInfo.InvariantCulture)).ToArray();
        Assert.Matches(new Regex(Row("mode", "questions", "hit@1", "hit@3", "hit@5", "hit@10", "MRR"), RegexOptions.Multiline), output);
        foreach (var mode in Modes)
        {
            Assert.Matches(new Regex(Row([mode, "5", .. Numbers(HandMetrics(ranks[mode]))]), RegexOptions.Multiline), output);
            Assert.Matches(new Regex(Row(["marker", mode, "3", .. Numbers(HandMetrics(ranks[mode], q => q.Tags?.Contains("marker") == true))]), RegexOptions.Multiline), output);
        }
    }

    private static void AssertPrintedMiss(string output, JsonElement report)
    {
        var miss = report.GetProperty("misses").EnumerateArray().Single(m => m.GetProperty("mode").GetString() == "text" && m.GetProperty("number").GetInt32() == 4);
        var first = miss.GetProperty("returned")[0];
        var (page, pageEnd) = (first.GetProperty("page").GetInt32(), first.GetProperty("pageEnd").GetInt32());
        Assert.InRange(9, page, pageEnd);
        var pages = pageEnd > page ? $"pages {page}-{pageEnd}" : $"page {page}";
        Assert.Contains($"""
            [text] question 4 (wrong-page): pagemarker09
                expected handbook.pdf, page 1: not in the first 10; returned instead:
                 1. docs/{IndexedStackFixture.Handbook}, {pages} (score 
            """.ReplaceLineEndings("\n"), output.ReplaceLineEndings("\n"));
    }

    private async Task AssertOneAuditRowAsync(JsonElement report)
    {
        var row = Assert.Single(await EvaluationRowsAsync(), r => r.Question == string.Join('\n', Questions.Select(q => q.Question)));
        Assert.Equal((LodeStack.ReaderAdminName, AuditOutcomes.Ok), (row.Caller, row.Outcome));
        var shown = report.GetProperty("misses").EnumerateArray().SelectMany(m => m.GetProperty("returned").EnumerateArray())
            .Select(p => new AuditSource(p.GetProperty("bucket").GetString()!, p.GetProperty("key").GetString()!, p.GetProperty("page").GetInt32()))
            .Distinct().ToList();
        Assert.NotEmpty(shown);
        Assert.Equal(shown.OrderBy(Position), row.Sources.OrderBy(Position));
    }

    private static (string, string, int) Position(AuditSource source) => (source.Bucket, source.Key, source.Page);

    private Task<IReadOnlyList<AuditEvent>> EvaluationRowsAsync() =>
        Stack.App.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(Surface: AuditSurfaces.Evaluation), null, 1000, default);

    private sealed class PrecisionComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-12;
        public int GetHashCode(double value) => 0;
    }
}
