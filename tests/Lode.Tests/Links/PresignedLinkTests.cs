using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lode.Tests.Support;
using Minio;
using Minio.DataModel.Args;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace Lode.Tests.Links;

/// <summary>A stack where "editors" may upload, with the 12-page handbook indexed for the staff group.</summary>
public sealed class LinkStackFixture : IAsyncLifetime
{
    public const string EditorKey = "test-editor-key-0123456789abcdef";
    public const string FinanceKey = "test-finance-key-0123456789abcdef";
    public const string HandbookKey = "policies/harbour handbook+2024.pdf";

    public LodeStack Stack { get; private set; } = null!;
    public byte[] Handbook { get; } = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestData", "handbook-12pages.pdf"));

    public async Task InitializeAsync()
    {
        Stack = await LodeStack.StartAsync(extraArgs:
        [
            "--Uploads:Groups:0=editors",
            .. TestReaders.ApiKeyArgs("editor", EditorKey, "editors", TestReaders.Group),
            .. TestReaders.ApiKeyArgs("finance", FinanceKey, "finance"),
        ]);
        await Stack.PutAsync(HandbookKey, Handbook, "application/pdf");
        await Stack.WaitForStatusAsync(HandbookKey, "indexed");
    }

    public Task DisposeAsync() => Stack.DisposeAsync().AsTask();
}

/// <summary>
/// Citations open their document through a short-lived presigned GET (at the cited page for PDFs), and uploads go
/// straight to the store through a presigned PUT that carries the read groups in its signature.
/// </summary>
public sealed class PresignedLinkTests(LinkStackFixture fixture) : IClassFixture<LinkStackFixture>
{
    private LodeStack Stack => fixture.Stack;

    private static string SourcePath(string key, string query = "") =>
        LodeStack.DocumentPath(key).Replace("api/documents/", "api/sources/", StringComparison.Ordinal) + query;

    // The store is reached the way a browser would: no credentials, only the signed URL.
    private static readonly HttpClient Browser = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task A_source_link_downloads_the_document_and_opens_the_cited_page()
    {
        using var response = await Stack.Api.GetAsync(SourcePath(LinkStackFixture.HandbookKey, "?page=7"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var link = await response.Content.ReadFromJsonAsync<JsonElement>();
        var url = link.GetProperty("url").GetString()!;

        Assert.Equal(7, link.GetProperty("page").GetInt32());
        Assert.EndsWith("#page=7", url, StringComparison.Ordinal);
        Assert.StartsWith($"http://{Stack.S3.Endpoint}/docs/", url, StringComparison.Ordinal);
        var expiresIn = link.GetProperty("expiresAt").GetDateTimeOffset() - DateTimeOffset.UtcNow;
        Assert.InRange(expiresIn, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5)); // Storage:PresignedLinkSeconds 300

        using var download = await Browser.GetAsync(url); // HttpClient drops the fragment, as browsers do
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("inline", download.Content.Headers.ContentDisposition?.DispositionType);
        var bytes = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(fixture.Handbook, bytes);
        using var pdf = PdfDocument.Open(bytes);
        // The marker word is hyphenated across a line end on this page ("page-" / "marker07").
        Assert.Contains("marker07", ContentOrderTextExtractor.GetText(pdf.GetPage(7)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Opening_a_source_is_recorded_in_the_audit_trail()
    {
        using var response = await Stack.Api.GetAsync(SourcePath(LinkStackFixture.HandbookKey, "?page=3"));
        response.EnsureSuccessStatusCode();

        var sources = await Stack.Database.ScalarAsync<string>(
            "SELECT sources::text FROM audit_events WHERE surface = 'api/sources' AND caller = 'tests' ORDER BY id DESC LIMIT 1");
        Assert.Contains("\"page\": 3", sources, StringComparison.Ordinal);
        Assert.Contains(LinkStackFixture.HandbookKey, sources, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?page=99", null)] // a stale citation of a longer version: open the document at its start
    [InlineData("", null)]
    [InlineData("?page=1", 1)]
    public async Task A_page_the_document_does_not_have_opens_it_at_the_start(string query, int? expectedPage)
    {
        var link = await Stack.Api.GetFromJsonAsync<JsonElement>(SourcePath(LinkStackFixture.HandbookKey, query));

        var url = link.GetProperty("url").GetString()!;
        if (expectedPage is { } page) Assert.EndsWith($"#page={page}", url, StringComparison.Ordinal);
        else Assert.DoesNotContain('#', url);
    }

    [Theory]
    [InlineData("?page=0")]
    [InlineData("?page=-2")]
    [InlineData("?page=seven")]
    public async Task A_page_that_is_not_a_page_number_is_refused(string query)
    {
        using var response = await Stack.Api.GetAsync(SourcePath(LinkStackFixture.HandbookKey, query));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid_page", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Callers_whose_groups_may_not_read_the_document_get_no_link_admins_included()
    {
        using var finance = Stack.ClientFor(LinkStackFixture.FinanceKey);
        using var asFinance = await finance.GetAsync(SourcePath(LinkStackFixture.HandbookKey));
        // The admin key is in the admin group only: it sees the document's state, but reads through its own groups.
        using var asAdmin = await Stack.Admin.GetAsync(SourcePath(LinkStackFixture.HandbookKey));
        using var unknown = await Stack.Api.GetAsync(SourcePath("policies/no such file.pdf"));
        using var anonymous = await new HttpClient { BaseAddress = Stack.Api.BaseAddress }.GetAsync(SourcePath(LinkStackFixture.HandbookKey));

        Assert.Equal(HttpStatusCode.NotFound, asFinance.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, asAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task Html_sources_are_downloaded_not_rendered_from_the_store_origin()
    {
        const string key = "web/page <b>.html";
        await Stack.PutAsync(key, "<html><body><script>alert(1)</script><p>Pilotage fees are charged per call.</p></body></html>"u8.ToArray(), "text/html");
        await Stack.WaitForStatusAsync(key, "indexed");

        var link = await Stack.Api.GetFromJsonAsync<JsonElement>(SourcePath(key));
        using var download = await Browser.GetAsync(link.GetProperty("url").GetString());

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/octet-stream", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("page <b>.html", download.Content.Headers.ContentDisposition?.FileNameStar);
    }

    [Fact]
    public async Task An_editor_uploads_through_a_presigned_put_and_the_document_indexes_readable_by_the_groups_chosen()
    {
        using var editor = Stack.ClientFor(LinkStackFixture.EditorKey);
        var terms = await editor.GetFromJsonAsync<JsonElement>("api/uploads");
        Assert.Equal(["docs"], terms.GetProperty("buckets").EnumerateArray().Select(b => b.GetString()));
        Assert.Contains(".pdf", terms.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["editors", TestReaders.Group], terms.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));

        const string key = "uploads/tide tables+ü.md";
        var content = Encoding.UTF8.GetBytes("# Tide tables\n\nThe spring tide at the northern pier peaks at 4.2 metres.\n");
        var grant = await GrantAsync(editor, new { bucket = "docs", key, contentType = "text/markdown", sizeBytes = content.Length, groups = new[] { "editors" } });
        Assert.Equal(HttpStatusCode.Created, grant.Status);
        await PutAsync(grant.Body, content);

        var indexed = (await Stack.WaitForStatusAsync(key, "indexed"))!.Value;
        Assert.Equal(["editors"], indexed.GetProperty("readGroups").EnumerateArray().Select(g => g.GetString()));
        // Shared with editors only: the staff key does not see it; the editor does.
        Assert.Null(await Stack.GetDocumentAsync(key, Stack.Api));
        Assert.NotNull(await Stack.GetDocumentAsync(key, editor));
        var audited = await Stack.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit_events WHERE surface = 'api/uploads' AND caller = 'editor' AND sources::text LIKE '%tide tables%'");
        Assert.Equal(1, audited);
    }

    // The groups are a signed header: another value, none, or a second copy in the query string (MinIO reads metadata
    // from both) is refused by the store, and nothing is stored.
    [Theory]
    [InlineData("header", "finance")]
    [InlineData("no-header", null)]
    [InlineData("query", "finance")]
    public async Task Changing_the_groups_signed_into_an_upload_link_breaks_its_signature(string how, string? groups)
    {
        using var editor = Stack.ClientFor(LinkStackFixture.EditorKey);
        var key = $"uploads/tampered-{how}.txt";
        var grant = await GrantAsync(editor, new { bucket = "docs", key, groups = new[] { "editors" } });
        var url = grant.Body.GetProperty("url").GetString()!;
        Assert.Contains("X-Amz-SignedHeaders=host%3Bif-none-match%3Bx-amz-meta-lode-groups", url, StringComparison.Ordinal);
        Assert.Equal("editors", grant.Body.GetProperty("headers").GetProperty("x-amz-meta-lode-groups").GetString());

        using var put = new HttpRequestMessage(HttpMethod.Put, how == "query" ? url + "&x-amz-meta-lode-groups=" + groups : url)
        {
            Content = new ByteArrayContent("Quay dues are waived in January."u8.ToArray()),
        };
        if (how != "no-header") put.Headers.Add("x-amz-meta-lode-groups", how == "header" ? groups : "editors");
        put.Headers.TryAddWithoutValidation("If-None-Match", "*"); // signed too, and sent as granted: only the groups differ
        using var response = await Browser.SendAsync(put);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("SignatureDoesNotMatch", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(await Stack.Store.StatAsync("docs", key, default));
    }

    // The issue's attack: the link's signed headers and declared bytes, plus an unsigned copy source. Signed with the
    // app's reading credential the store performed a CopyObject (the handbook's bytes under the uploader's key and
    // groups); signed with the put-only upload credential, the store refuses it and nothing is written.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_upload_link_cannot_be_turned_into_a_copy_of_another_object(bool declareSize)
    {
        using var editor = Stack.ClientFor(LinkStackFixture.EditorKey);
        var key = $"uploads/copy-{(declareSize ? "sized" : "unsized")}.txt";
        var bytes = "12345"u8.ToArray();
        var grant = await GrantAsync(editor, declareSize
            ? new { bucket = "docs", key, sizeBytes = (long?)bytes.Length, groups = new[] { "editors" } }
            : new { bucket = "docs", key, sizeBytes = (long?)null, groups = new[] { "editors" } });
        Assert.Equal(HttpStatusCode.Created, grant.Status);

        using var put = PutRequest(grant.Body, bytes);
        put.Headers.TryAddWithoutValidation("x-amz-copy-source", "/docs/" + Uri.EscapeDataString(LinkStackFixture.HandbookKey));
        put.Headers.TryAddWithoutValidation("x-amz-metadata-directive", "REPLACE");
        using var response = await Browser.SendAsync(put);

        var answer = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("AccessDenied", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("CopyObjectResult", answer, StringComparison.Ordinal);
        Assert.Null(await Stack.Store.StatAsync("docs", key, default));
    }

    [Theory]
    [InlineData(20)]
    [InlineData(5)]
    public async Task A_declared_size_is_signed_so_the_link_takes_no_other_size(int sentBytes)
    {
        using var editor = Stack.ClientFor(LinkStackFixture.EditorKey);
        var key = $"uploads/sized-{sentBytes}.txt";
        var grant = await GrantAsync(editor, new { bucket = "docs", key, sizeBytes = 10 });
        Assert.Contains("content-length", grant.Body.GetProperty("url").GetString()!, StringComparison.Ordinal);

        using var put = PutRequest(grant.Body, new byte[sentBytes]);
        using var response = await Browser.SendAsync(put);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("SignatureDoesNotMatch", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(await Stack.Store.StatAsync("docs", key, default));
    }

    [Fact]
    public async Task Readers_outside_the_upload_groups_may_not_upload()
    {
        using var terms = await Stack.Api.GetAsync("api/uploads");
        var (status, body) = await GrantAsync(Stack.Api, new { bucket = "docs", key = "uploads/x.txt" });

        Assert.Equal(HttpStatusCode.Forbidden, terms.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("upload_not_allowed", body.GetProperty("error").GetProperty("code").GetString());
    }

    public static TheoryData<string, string, HttpStatusCode> RefusedUploads => new()
    {
        { """{"bucket":"docs","key":"../etc/passwd.txt"}""", "invalid_key", HttpStatusCode.BadRequest },
        { """{"bucket":"docs","key":"a//b.txt"}""", "invalid_key", HttpStatusCode.BadRequest },
        { """{"bucket":"docs","key":""}""", "invalid_key", HttpStatusCode.BadRequest },
        { """{"bucket":"docs","key":"tabs\tin\tname.txt"}""", "invalid_key", HttpStatusCode.BadRequest },
        { """{"bucket":"docs","key":"slides.pptx"}""", "unsupported_format", HttpStatusCode.BadRequest },
        { """{"bucket":"docs","key":"big.pdf","sizeBytes":209715201}""", "too_large", HttpStatusCode.RequestEntityTooLarge },
        { """{"bucket":"docs","key":"a.txt","groups":["finance"]}""", "invalid_groups", HttpStatusCode.BadRequest },
        { """{"bucket":"docs","key":"a.txt","groups":["editors,finance"]}""", "invalid_groups", HttpStatusCode.BadRequest },
        { """{"bucket":"docs","key":"a.txt","groups":["r\u00e9dacteurs"]}""", "invalid_groups", HttpStatusCode.BadRequest },
        { """{"bucket":"other","key":"a.txt"}""", "bucket_not_indexed", HttpStatusCode.BadRequest },
        { """{"bucket":"Bad_Bucket","key":"a.txt"}""", "invalid_bucket", HttpStatusCode.BadRequest },
        { """{"bucket":"docs","key":"policies/harbour handbook+2024.pdf"}""", "object_exists", HttpStatusCode.Conflict },
        { """{"bucket":"docs","key":""" + "\"" + new string('k', 1030) + ".txt\"}", "invalid_key", HttpStatusCode.BadRequest },
        { """{"bucket":"docs",""", "invalid_json", HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(RefusedUploads))]
    public async Task An_upload_that_cannot_succeed_is_refused_before_any_byte_moves(string body, string code, HttpStatusCode status)
    {
        using var editor = Stack.ClientFor(LinkStackFixture.EditorKey);
        using var response = await editor.PostAsync("api/uploads", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Replacing_an_existing_object_needs_overwrite()
    {
        using var editor = Stack.ClientFor(LinkStackFixture.EditorKey);
        var grant = await GrantAsync(editor, new { bucket = "docs", key = LinkStackFixture.HandbookKey, overwrite = true });

        Assert.Equal(HttpStatusCode.Created, grant.Status);
        // No groups named: the uploader's own, signed like any others.
        Assert.Equal("editors,staff", grant.Body.GetProperty("headers").GetProperty("x-amz-meta-lode-groups").GetString());
    }

    // A key the caller cannot read is answered like a free one (no 409 telling them it exists), and their link can never
    // replace it: it is signed create-only (If-None-Match: *), so the store refuses the PUT and the object stays.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_object_the_caller_cannot_read_is_answered_as_absent_and_never_replaced(bool overwrite)
    {
        var key = $"finance/budget-{overwrite}.txt";
        var budget = "Budget 2026: confidential."u8.ToArray();
        await Stack.PutAsync(key, budget, "text/plain", new Dictionary<string, string> { ["lode-groups"] = "finance" });
        using var editor = Stack.ClientFor(LinkStackFixture.EditorKey);

        var unreadable = await GrantAsync(editor, new { bucket = "docs", key, overwrite });
        var absent = await GrantAsync(editor, new { bucket = "docs", key = $"finance/no-such-{overwrite}.txt", overwrite });

        Assert.Equal(HttpStatusCode.Created, unreadable.Status);
        Assert.Equal(absent.Status, unreadable.Status);
        Assert.Equal(absent.Body.GetProperty("headers").EnumerateObject().Select(h => (h.Name, h.Value.GetString())),
            unreadable.Body.GetProperty("headers").EnumerateObject().Select(h => (h.Name, h.Value.GetString())));
        using var put = PutRequest(unreadable.Body, "Budget 2026: cancelled."u8.ToArray());
        using var response = await Browser.SendAsync(put);
        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        using var original = await Browser.GetAsync((await new MinioClient().WithEndpoint(Stack.S3.Endpoint)
            .WithCredentials(Stack.S3.AccessKey, Stack.S3.SecretKey).WithRegion("us-east-1").Build()
            .PresignedGetObjectAsync(new PresignedGetObjectArgs().WithBucket(LodeStack.Bucket).WithObject(key).WithExpiry(60))));
        Assert.Equal(budget, await original.Content.ReadAsByteArrayAsync());
    }

    // Overwriting a readable object replaces only the version the caller was shown (If-Match): one replaced meanwhile
    // is not overwritten blindly.
    [Fact]
    public async Task An_overwrite_link_replaces_only_the_version_it_was_granted_for()
    {
        const string key = "uploads/versioned.txt";
        await Stack.PutAsync(key, "version one"u8.ToArray(), "text/plain");
        using var editor = Stack.ClientFor(LinkStackFixture.EditorKey);
        var grant = await GrantAsync(editor, new { bucket = "docs", key, overwrite = true });
        Assert.Equal(HttpStatusCode.Created, grant.Status);
        Assert.True(grant.Body.GetProperty("headers").TryGetProperty("if-match", out _));

        await Stack.PutAsync(key, "version two, by someone else"u8.ToArray(), "text/plain");
        using var put = PutRequest(grant.Body, "version three"u8.ToArray());
        using var response = await Browser.SendAsync(put);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
    }

    [Fact]
    public async Task The_store_answers_a_browser_preflight_for_an_upload_link()
    {
        using var editor = Stack.ClientFor(LinkStackFixture.EditorKey);
        var grant = await GrantAsync(editor, new { bucket = "docs", key = "uploads/preflight.txt", contentType = "text/plain" });
        using var preflight = new HttpRequestMessage(HttpMethod.Options, grant.Body.GetProperty("url").GetString());
        preflight.Headers.Add("Origin", $"http://127.0.0.1:{Stack.Port}");
        preflight.Headers.Add("Access-Control-Request-Method", "PUT");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");

        using var response = await Browser.SendAsync(preflight);

        Assert.True(response.IsSuccessStatusCode, $"preflight answered {response.StatusCode}");
        Assert.Equal($"http://127.0.0.1:{Stack.Port}", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("PUT", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_store_refuses_a_link_once_it_has_expired()
    {
        // Lode's shortest lifetime is 10 s; the store's check is the same for any lifetime, so a 1 s link shows it.
        var client = new MinioClient().WithEndpoint(Stack.S3.Endpoint).WithCredentials(Stack.S3.AccessKey, Stack.S3.SecretKey)
            .WithRegion("us-east-1").Build();
        var url = await client.PresignedGetObjectAsync(new PresignedGetObjectArgs()
            .WithBucket(LodeStack.Bucket).WithObject(LinkStackFixture.HandbookKey).WithExpiry(1));
        using (var fresh = await Browser.GetAsync(url)) Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        using var expired = await Browser.GetAsync(url);

        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        Assert.Contains("Request has expired", await expired.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GrantAsync(HttpClient client, object request)
    {
        using var response = await client.PostAsJsonAsync("api/uploads", request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    // The PUT a client sends for a grant: its URL, its headers (signed ones on the request, Content-Type on the content).
    private static HttpRequestMessage PutRequest(JsonElement grant, byte[] content)
    {
        var put = new HttpRequestMessage(HttpMethod.Put, grant.GetProperty("url").GetString()) { Content = new ByteArrayContent(content) };
        foreach (var header in grant.GetProperty("headers").EnumerateObject())
        {
            if (!put.Headers.TryAddWithoutValidation(header.Name, header.Value.GetString()))
                put.Content.Headers.TryAddWithoutValidation(header.Name, header.Value.GetString());
        }
        return put;
    }

    private static async Task PutAsync(JsonElement grant, byte[] content)
    {
        using var put = PutRequest(grant, content);
        using var response = await Browser.SendAsync(put);
        Assert.True(response.IsSuccessStatusCode, $"PUT answered {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
