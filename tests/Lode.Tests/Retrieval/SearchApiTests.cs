using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lode.Tests.Support;

namespace Lode.Tests.Retrieval;

/// <summary>The stack with two documents put through S3 and indexed by the worker, shared by the API tests.</summary>
public sealed class IndexedStackFixture : IAsyncLifetime
{
    public const string Handbook = "manuals/handbook.pdf";
    public const string Canteen = "notes/canteen.md";

    public LodeStack Stack { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stack = await LodeStack.StartAsync();
        await Stack.PutFileAsync(Handbook, "handbook-12pages.pdf", "application/pdf");
        await Stack.PutAsync(Canteen, Encoding.UTF8.GetBytes("""
            # Canteen

            The canteen serves lunch from noon until two o'clock. On Fridays it closes early, at half past one.

            Vegetarian dishes are marked with a green leaf on the menu board.
            """), "text/markdown");
        await Stack.WaitForStatusAsync(Handbook, "indexed");
        await Stack.WaitForStatusAsync(Canteen, "indexed");
    }

    public async Task DisposeAsync() => await Stack.DisposeAsync();
}

public sealed class SearchApiTests(IndexedStackFixture fixture) : IClassFixture<IndexedStackFixture>
{
    private LodeStack Stack => fixture.Stack;

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(object body, HttpClient? client = null)
    {
        using var response = await (client ?? Stack.Api).PostAsJsonAsync("api/search", body);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostRawAsync(string body)
    {
        using var response = await Stack.Api.PostAsync("api/search", new StringContent(body, Encoding.UTF8, "application/json"));
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task A_result_shows_the_headings_it_sits_under_its_documents_title_and_no_other_copies()
    {
        var (status, body) = await PostAsync(new { query = "When does the canteen close on Fridays?", top = 1 });

        Assert.Equal(HttpStatusCode.OK, status);
        var first = body.GetProperty("results")[0];
        Assert.Equal(IndexedStackFixture.Canteen, first.GetProperty("key").GetString());
        Assert.Equal(["Canteen"], first.GetProperty("headingPath").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal("Canteen", first.GetProperty("title").GetString());
        Assert.False(first.GetProperty("navigation").GetBoolean());
        Assert.Equal(0, first.GetProperty("alsoIn").GetArrayLength());
    }

    [Theory]
    [InlineData("hybrid")]
    [InlineData("text")]
    [InlineData(null)]
    public async Task A_word_on_page_seven_is_found_on_page_seven(string? mode)
    {
        var (status, body) = await PostAsync(new { query = "pagemarker07", top = 3, mode });

        Assert.Equal(HttpStatusCode.OK, status);
        var first = body.GetProperty("results")[0];
        Assert.Equal(LodeStack.Bucket, first.GetProperty("bucket").GetString());
        Assert.Equal(IndexedStackFixture.Handbook, first.GetProperty("key").GetString());
        Assert.InRange(7, first.GetProperty("page").GetInt32(), first.GetProperty("pageEnd").GetInt32());
        Assert.Contains("pagemarker07", first.GetProperty("text").GetString());
        Assert.True(first.GetProperty("score").GetDouble() > 0);
    }

    [Fact]
    public async Task A_question_in_other_words_finds_the_document_by_meaning()
    {
        var (status, body) = await PostAsync(new { query = "When does the cafeteria shut at the end of the week?", mode = "vector", top = 1 });

        Assert.Equal(HttpStatusCode.OK, status);
        var hit = Assert.Single(body.GetProperty("results").EnumerateArray());
        Assert.Equal(IndexedStackFixture.Canteen, hit.GetProperty("key").GetString());
        Assert.Equal(1, hit.GetProperty("page").GetInt32());
    }

    [Fact]
    public async Task Filters_restrict_the_results()
    {
        var (_, byPrefix) = await PostAsync(new { query = "harbour cargo canteen lunch", top = 20, prefix = "notes/" });
        Assert.All(byPrefix.GetProperty("results").EnumerateArray(), r => Assert.Equal(IndexedStackFixture.Canteen, r.GetProperty("key").GetString()));
        Assert.NotEmpty(byPrefix.GetProperty("results").EnumerateArray());

        var (_, byType) = await PostAsync(new { query = "harbour cargo canteen lunch", top = 20, contentType = "application/pdf" });
        Assert.All(byType.GetProperty("results").EnumerateArray(), r => Assert.Equal(IndexedStackFixture.Handbook, r.GetProperty("key").GetString()));
        Assert.NotEmpty(byType.GetProperty("results").EnumerateArray());

        var (status, otherBucket) = await PostAsync(new { query = "harbour", bucket = "elsewhere" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(otherBucket.GetProperty("results").EnumerateArray());
    }

    [Fact]
    public async Task Without_an_api_key_the_answer_is_401()
    {
        using var anonymous = new HttpClient { BaseAddress = Stack.Api.BaseAddress };
        var (status, body) = await PostAsync(new { query = "harbour" }, anonymous);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("unauthorized", body.GetProperty("error").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("{not json", "invalid_json")]
    [InlineData("", "invalid_json")]
    [InlineData("null", "invalid_json")]
    [InlineData("[1,2]", "invalid_json")]
    [InlineData("{\"query\": 42}", "invalid_json")]
    [InlineData("{\"query\": \"x\", \"top\": \"many\"}", "invalid_json")]
    [InlineData("{\"top\": 3}", "invalid_query")]
    [InlineData("{\"query\": \"   \"}", "invalid_query")]
    [InlineData("{\"query\": \"harbour\", \"top\": 0}", "invalid_top")]
    [InlineData("{\"query\": \"harbour\", \"top\": 51}", "invalid_top")]
    [InlineData("{\"query\": \"harbour\", \"top\": -1}", "invalid_top")]
    [InlineData("{\"query\": \"harbour\", \"mode\": \"fuzzy\"}", "invalid_mode")]
    [InlineData("{\"query\": \"harbour\", \"mode\": \"1\"}", "invalid_mode")]
    public async Task Bad_requests_are_400_with_a_code(string body, string code)
    {
        var (status, error) = await PostRawAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(code, error.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_hostile_query_is_searched_for_like_any_other()
    {
        var (status, body) = await PostAsync(new { query = "'; DROP TABLE chunks; -- a & b | !c \"", prefix = "'; --" });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(body.GetProperty("results").EnumerateArray());
        Assert.True(await Stack.Database.ScalarAsync<long>("SELECT count(*) FROM chunks") > 0);
    }

    [Fact]
    public async Task A_query_longer_than_the_limit_is_400_and_a_body_over_64_KiB_is_413()
    {
        var (status, error) = await PostAsync(new { query = new string('a', 2_001) });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_query", error.GetProperty("error").GetProperty("code").GetString());

        var (tooLarge, _) = await PostAsync(new { query = "harbour", padding = new string('x', 70_000) });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge);
    }
}
