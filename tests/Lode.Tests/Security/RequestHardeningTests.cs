using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lode.Tests.Retrieval;
using Lode.Tests.Support;

namespace Lode.Tests.Security;

/// <summary>
/// Object keys and query text are data, never paths or SQL: traversal-shaped keys reach nothing outside the index,
/// and SQL-shaped input matches nothing it should not and changes nothing.
/// </summary>
public sealed class RequestHardeningTests(IndexedStackFixture fixture) : IClassFixture<IndexedStackFixture>
{
    private LodeStack Stack => fixture.Stack;

    [Theory]
    [InlineData("api/documents/lode-tests/..%2F..%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("api/documents/..%2F..%2F..%2Fetc/passwd")]
    [InlineData("api/documents/lode-tests/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("api/documents/lode-tests/..\\..\\..\\..\\etc\\passwd")]
    public async Task A_traversal_shaped_document_key_is_a_404_not_a_file(string path)
    {
        using var response = await Stack.Api.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("root:", body);
        // Either the document lookup or the router answered, in the API's error shape.
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(body).RootElement.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task A_notification_for_a_traversal_shaped_key_is_looked_up_in_the_bucket_and_finds_nothing()
    {
        // Go's url.QueryEscape of "../../../../etc/passwd", as MinIO would send it.
        var body = JsonSerializer.Serialize(new
        {
            EventName = "s3:ObjectCreated:Put",
            Key = $"{LodeStack.Bucket}/../../../../etc/passwd",
            Records = new[]
            {
                new { eventName = "s3:ObjectCreated:Put", s3 = new { bucket = new { name = LodeStack.Bucket }, @object = new { key = "..%2F..%2F..%2F..%2Fetc%2Fpasswd" } } },
            },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/minio/events") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LodeStack.WebhookToken);
        using var accepted = await Stack.Api.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

        await Stack.WaitForQueueEmptyAsync();
        Assert.Null(await Stack.GetDocumentAsync("../../../../etc/passwd"));
        Assert.Equal(0L, await Stack.Database.ScalarAsync<long>("SELECT count(*) FROM documents WHERE key LIKE '%passwd%'"));
    }

    [Theory]
    [InlineData("' OR '1'='1")]
    [InlineData("%")]
    [InlineData("_")]
    [InlineData("\\")]
    public async Task A_sql_shaped_or_wildcard_prefix_lists_nothing(string prefix)
    {
        var page = await Stack.Api.GetFromJsonAsync<JsonElement>($"api/documents?prefix={Uri.EscapeDataString(prefix)}");

        Assert.Equal(0, page.GetProperty("documents").GetArrayLength());
    }

    [Fact]
    public async Task Sql_shaped_questions_and_filters_change_nothing_and_match_nothing_extra()
    {
        var chunksBefore = await Stack.Database.ScalarAsync<long>("SELECT count(*) FROM chunks");

        using var search = await Stack.Api.PostAsJsonAsync("api/search",
            new { query = "canteen'); DELETE FROM chunks; --", bucket = "x' OR 'a'='a", prefix = "'; TRUNCATE documents; --" });
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        Assert.Equal(0, (await search.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").GetArrayLength());

        using var chat = await Stack.Api.PostAsJsonAsync("api/chat",
            new { messages = new[] { new { role = "user", content = "When does the canteen close'; DROP TABLE documents; --" } } });
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);

        Assert.Equal(chunksBefore, await Stack.Database.ScalarAsync<long>("SELECT count(*) FROM chunks"));
        using var ordinary = await Stack.Api.PostAsJsonAsync("api/search", new { query = "canteen lunch" });
        Assert.NotEqual(0, (await ordinary.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").GetArrayLength());
    }
}
