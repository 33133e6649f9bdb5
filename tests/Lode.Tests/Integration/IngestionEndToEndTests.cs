using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Lode.Tests.Support;

namespace Lode.Tests.Integration;

/// <summary>One stack (PostgreSQL, S3 server, app) shared by the tests of <see cref="IngestionEndToEndTests"/>.</summary>
public sealed class LodeStackFixture : IAsyncLifetime
{
    public LodeStack Stack { get; private set; } = null!;
    public async Task InitializeAsync() => Stack = await LodeStack.StartAsync();
    public async Task DisposeAsync() => await Stack.DisposeAsync();
}

/// <summary>
/// The whole ingestion path with real parts: objects written through the Minio SDK to a SigV4 S3 server, its events
/// delivered as MinIO webhooks, jobs in PostgreSQL, PdfPig, MiniLM on ONNX Runtime, pgvector. Each test uses its own keys.
/// </summary>
public sealed class IngestionEndToEndTests(LodeStackFixture fixture) : IClassFixture<LodeStackFixture>
{
    private LodeStack Stack => fixture.Stack;

    private Task<long> ChunkCount(string key) => Stack.Database.ScalarAsync<long>(
        "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.bucket = $1 AND d.key = $2",
        LodeStack.Bucket, key);

    [Fact]
    public async Task A_PDF_put_into_the_bucket_is_indexed_with_its_pages()
    {
        const string key = "manuals/handbook.pdf";
        await Stack.PutFileAsync(key, "handbook-12pages.pdf", "application/pdf");

        var document = (await Stack.WaitForStatusAsync(key, "indexed"))!.Value;

        Assert.Equal(12, document.GetProperty("pages").GetInt32());
        var chunks = document.GetProperty("chunks").GetInt32();
        Assert.True(chunks >= 12, $"expected at least a chunk per page, got {chunks}");
        Assert.Equal(chunks, await ChunkCount(key));
        Assert.False(string.IsNullOrEmpty(document.GetProperty("etag").GetString()));
        // Every page's marker word sits in a chunk whose page span covers that page.
        for (var page = 1; page <= 12; page++)
        {
            var covering = await Stack.Database.ScalarAsync<long>("""
                SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id
                WHERE d.key = $1 AND c.content LIKE $2 AND c.page_start <= $3 AND c.page_end >= $3
                """, key, $"%pagemarker{page:00}%", page);
            Assert.True(covering >= 1, $"pagemarker{page:00} is not in a chunk spanning page {page}");
        }
        Assert.Equal(0L, await Stack.Database.ScalarAsync<long>(
            "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.key = $1 AND vector_dims(c.embedding) <> 384", key));
    }

    [Fact]
    public async Task Deleting_the_object_removes_the_document_and_its_chunks()
    {
        const string key = "to-delete.md";
        await Stack.PutAsync(key, Encoding.UTF8.GetBytes("# Notice\n\nThe canteen closes early on Fridays."), "text/markdown");
        await Stack.WaitForStatusAsync(key, "indexed");

        await Stack.Store.DeleteAsync(LodeStack.Bucket, key, default);

        await Stack.WaitForDocumentAsync(key, d => d is null);
        Assert.Equal(0L, await ChunkCount(key));
    }

    [Fact]
    public async Task One_event_delivered_three_times_gives_one_set_of_chunks()
    {
        const string key = "repeated.txt";
        await Stack.PutAsync(key, Encoding.UTF8.GetBytes(string.Join("\n\n",
            Enumerable.Range(1, 40).Select(i => $"Paragraph {i} explains rule {i} of the travel policy in plain words."))), "text/plain");
        var first = (await Stack.WaitForStatusAsync(key, "indexed"))!.Value;

        for (var i = 0; i < 3; i++)
        {
            using var response = await PostWebhook(MinioBody("s3:ObjectCreated:Put", key), LodeStack.WebhookToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await Stack.WaitForQueueEmptyAsync();

        var after = (await Stack.WaitForStatusAsync(key, "indexed"))!.Value;
        Assert.Equal(first.GetProperty("chunks").GetInt32(), after.GetProperty("chunks").GetInt32());
        Assert.Equal(first.GetProperty("chunks").GetInt32(), (int)await ChunkCount(key));
        Assert.Equal(await ChunkCount(key), await Stack.Database.ScalarAsync<long>(
            "SELECT count(DISTINCT ordinal) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.key = $1", key));
        // Unchanged etag: the repeats were recognised without re-indexing.
        Assert.Equal(first.GetProperty("indexedAt").GetString(), after.GetProperty("indexedAt").GetString());
    }

    [Fact]
    public async Task A_delete_event_arriving_before_the_put_event_ends_in_the_bucket_state()
    {
        // The object exists; its (late) delete notification arrives first, then its put: it must end indexed.
        const string present = "order/present.txt";
        await Stack.PutAsync(present, Encoding.UTF8.GetBytes("The library opens at nine."), "text/plain");
        await Stack.WaitForStatusAsync(present, "indexed");
        await PostWebhook(MinioBody("s3:ObjectRemoved:Delete", present), LodeStack.WebhookToken);
        await PostWebhook(MinioBody("s3:ObjectCreated:Put", present), LodeStack.WebhookToken);
        await Stack.WaitForQueueEmptyAsync();
        Assert.Equal("indexed", (await Stack.GetDocumentAsync(present))!.Value.GetProperty("status").GetString());

        // The object is gone; a stale put notification arrives after its delete: nothing may be resurrected.
        const string gone = "order/gone.txt";
        await Stack.PutAsync(gone, Encoding.UTF8.GetBytes("Temporary note."), "text/plain");
        await Stack.WaitForStatusAsync(gone, "indexed");
        await Stack.Store.DeleteAsync(LodeStack.Bucket, gone, default);
        await Stack.WaitForDocumentAsync(gone, d => d is null);
        await PostWebhook(MinioBody("s3:ObjectCreated:Put", gone), LodeStack.WebhookToken);
        await Stack.WaitForQueueEmptyAsync();
        Assert.Null(await Stack.GetDocumentAsync(gone));
    }

    [Fact]
    public async Task A_corrupt_PDF_fails_with_a_reason_while_the_other_documents_index()
    {
        await Stack.PutFileAsync("batch/broken.pdf", "corrupt-truncated.pdf", "application/pdf");
        await Stack.PutAsync("batch/fine-1.txt", Encoding.UTF8.GetBytes("Expense claims are paid monthly."), "text/plain");
        await Stack.PutAsync("batch/fine-2.md", Encoding.UTF8.GetBytes("# Leave\n\nAnnual leave is 25 days."), "text/markdown");
        await Stack.PutAsync("batch/unknown.xyz", [1, 2, 3, 4], "application/x-unknown");

        var broken = (await Stack.WaitForStatusAsync("batch/broken.pdf", "failed"))!.Value;
        Assert.Contains("Corrupt", broken.GetProperty("error").GetString());
        var unknown = (await Stack.WaitForStatusAsync("batch/unknown.xyz", "failed"))!.Value;
        Assert.Contains("UnsupportedFormat", unknown.GetProperty("error").GetString());
        Assert.Equal(1, unknown.GetProperty("attempts").GetInt32()); // permanent: not retried
        await Stack.WaitForStatusAsync("batch/fine-1.txt", "indexed");
        await Stack.WaitForStatusAsync("batch/fine-2.md", "indexed");
    }

    [Fact]
    public async Task A_markdown_nesting_bomb_fails_at_once_with_its_reason_and_is_not_retried()
    {
        // Thousands of nested quotes: the parser refuses them, and the refusal is the document's fault, not the moment's.
        var bomb = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("> ", 20_000)) + "bottom");
        await Stack.PutAsync("bombs/nested.md", bomb, "text/markdown");

        var failed = (await Stack.WaitForStatusAsync("bombs/nested.md", "failed"))!.Value;

        Assert.Equal(1, failed.GetProperty("attempts").GetInt32());
        Assert.StartsWith("TooDeeplyNested: ", failed.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_wrong_webhook_token_is_refused_and_stores_nothing()
    {
        var before = await Stack.Database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs WHERE key = 'never.txt'");
        using var wrong = await PostWebhook(MinioBody("s3:ObjectCreated:Put", "never.txt"), "not-the-token");
        using var missing = await PostWebhook(MinioBody("s3:ObjectCreated:Put", "never.txt"), null);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(0L, before);
        Assert.Equal(0L, await Stack.Database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs WHERE key = 'never.txt'"));
        Assert.Null(await Stack.GetDocumentAsync("never.txt"));
    }

    [Fact]
    public async Task Malformed_webhook_bodies_get_400_and_store_nothing()
    {
        using var response = await PostWebhook("{\"Records\": [ {", LodeStack.WebhookToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("malformed_event", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("keys/with spaces/quarterly report.txt")]
    [InlineData("keys/c++ & c#/notes+extra.txt")]
    [InlineData("keys/über/日本語 ファイル.txt")]
    [InlineData("keys/100% sure?.txt")]
    public async Task Keys_with_spaces_plus_signs_and_non_ASCII_round_trip(string key)
    {
        await Stack.PutAsync(key, Encoding.UTF8.GetBytes("Round trip check for " + key), "text/plain");

        var document = (await Stack.WaitForStatusAsync(key, "indexed"))!.Value;

        Assert.Equal(key, document.GetProperty("key").GetString());
        Assert.Equal(1L, await Stack.Database.ScalarAsync<long>("SELECT count(*) FROM documents WHERE key = $1", key));
    }

    [Fact]
    public async Task Documents_can_be_listed_and_filtered()
    {
        await Stack.PutAsync("list/a.txt", Encoding.UTF8.GetBytes("Alpha."), "text/plain");
        await Stack.PutAsync("list/b.txt", Encoding.UTF8.GetBytes("Beta."), "text/plain");
        await Stack.PutAsync("list/c.bin", [0, 1, 2], "application/octet-stream");
        await Stack.WaitForStatusAsync("list/a.txt", "indexed");
        await Stack.WaitForStatusAsync("list/b.txt", "indexed");
        await Stack.WaitForStatusAsync("list/c.bin", "failed");

        var page1 = await Stack.Api.GetStringAsync($"api/documents?bucket={LodeStack.Bucket}&prefix=list/&limit=2");
        var page1Json = System.Text.Json.JsonDocument.Parse(page1).RootElement;
        Assert.Equal(["list/a.txt", "list/b.txt"], page1Json.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("key").GetString()));
        var next = page1Json.GetProperty("next").GetString();
        var page2 = System.Text.Json.JsonDocument.Parse(await Stack.Api.GetStringAsync(
            $"api/documents?bucket={LodeStack.Bucket}&prefix=list/&limit=2&cursor={next}")).RootElement;
        Assert.Equal(["list/c.bin"], page2.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("key").GetString()));

        var failed = System.Text.Json.JsonDocument.Parse(await Stack.Api.GetStringAsync(
            $"api/documents?prefix=list/&status=failed")).RootElement;
        Assert.Equal(["list/c.bin"], failed.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("key").GetString()));

        using var bad = await Stack.Api.GetAsync("api/documents?status=done");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Document_endpoints_require_an_API_key()
    {
        using var anonymous = new HttpClient { BaseAddress = Stack.Api.BaseAddress };
        using var none = await anonymous.GetAsync("api/documents");
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong-key-0123456789abcdef");
        using var wrong = await anonymous.GetAsync(LodeStack.DocumentPath("any.txt"));

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    private async Task<HttpResponseMessage> PostWebhook(string body, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/minio/events")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var client = new HttpClient { BaseAddress = Stack.Api.BaseAddress };
        return await client.SendAsync(request);
    }

    // The body MinIO's webhook target posts (trimmed), with the key escaped as Go's url.QueryEscape does.
    private static string MinioBody(string eventName, string key) => System.Text.Json.JsonSerializer.Serialize(new
    {
        EventName = eventName,
        Key = $"{LodeStack.Bucket}/{key}",
        Records = new[]
        {
            new
            {
                eventVersion = "2.0",
                eventSource = "minio:s3",
                eventName,
                s3 = new { bucket = new { name = LodeStack.Bucket }, @object = new { key = WebUtility.UrlEncode(key) } },
            },
        },
    });
}
