using System.Text;
using Lode.Tests.Support;
using Lode.Ingestion.Extraction;
using Microsoft.Playwright;

namespace Lode.Tests.Web;

/// <summary>
/// A real stack with one indexed and one failed document, and Debian's headless chromium driven by Playwright. The
/// browser is /usr/bin/chromium (apt package <c>chromium</c>, installed by infra/local/install.sh): Playwright never
/// downloads one here.
/// </summary>
public sealed class WebPageFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string IndexedKey = "hr/leave-policy.md";
    public const string FailedKey = "scans/garbage.pdf";

    /// <summary>A key in the group allowed to upload (Uploads:Groups) and in the readers' group.</summary>
    public const string EditorKey = "test-editor-key-0123456789abcdef";

    public LodeStack Stack { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    private IPlaywright playwright = null!;

    public async Task InitializeAsync()
    {
        Stack = await LodeStack.StartAsync(extraArgs:
            ["--Uploads:Groups:0=editors", .. TestReaders.ApiKeyArgs("editor", EditorKey, "editors", TestReaders.Group)]);
        await Stack.PutAsync(IndexedKey, Encoding.UTF8.GetBytes("""
            # Leave policy

            Every employee is entitled to 27 days of annual leave per calendar year. Leave requests are approved by
            the line manager.
            """), "text/markdown");
        await Stack.PutFileAsync(FailedKey, "corrupt-garbage.pdf", "application/pdf");
        await Stack.WaitForStatusAsync(IndexedKey, "indexed");
        await Stack.WaitForStatusAsync(FailedKey, "failed", client: Stack.Admin);

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright.Dispose();
        await Stack.DisposeAsync();
    }
}

/// <summary>The web page end to end: sign in, ask, see the streamed answer and its citation; errors in words.</summary>
public sealed class WebPageEndToEndTests(WebPageFixture fixture) : IClassFixture<WebPageFixture>
{
    // The screenshots in docs/ and README are rewritten only when asked (LODE_WRITE_SCREENSHOTS=1), so an ordinary test
    // run leaves the checkout clean; otherwise they go to a scratch folder (taking them still runs every time).
    private static readonly string Screenshots = Environment.GetEnvironmentVariable("LODE_WRITE_SCREENSHOTS") == "1"
        ? Path.Combine(S3ServerProcess.FindRepositoryRoot(), "docs", "screenshots")
        : Directory.CreateTempSubdirectory("lode-screenshots-").FullName;

    private async Task<IPage> OpenAsync(int width = 1100, int height = 800)
    {
        var context = await fixture.Browser.NewContextAsync(new()
        {
            BaseURL = $"http://127.0.0.1:{fixture.Stack.Port}/",
            ViewportSize = new() { Width = width, Height = height },
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        return page;
    }

    private static async Task SignInAsync(IPage page, string key)
    {
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    [Fact]
    public async Task Signing_in_and_asking_shows_the_streamed_answer_with_a_citation_chip_that_opens_its_source()
    {
        var page = await OpenAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "sign-in.png") });
        await SignInAsync(page, LodeStack.ApiKey);

        await page.GetByLabel("Question").FillAsync("How many days of annual leave does an employee get?");
        var chat = await page.RunAndWaitForResponseAsync(() => page.Keyboard.PressAsync("Enter"), r => r.Url.EndsWith("/api/chat", StringComparison.Ordinal));

        Assert.StartsWith("text/event-stream", await chat.HeaderValueAsync("content-type"), StringComparison.Ordinal);

        var answer = page.Locator("#messages .message.assistant").Last;
        await Assertions.Expect(answer.Locator(".text")).ToContainTextAsync("27 days");
        var chip = answer.Locator(".chip").First;
        await Assertions.Expect(chip).ToContainTextAsync($"[1] {LodeStack.Bucket}/{WebPageFixture.IndexedKey} p. 1");
        // The conversation is kept in the browser encrypted with a key derived from the API key: neither its text nor
        // the API key is readable in localStorage.
        var stored = await page.EvaluateAsync<string>("() => JSON.stringify(Object.entries(localStorage))");
        Assert.Contains("lode.conversations.", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("27 days", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("annual leave", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(LodeStack.ApiKey, stored, StringComparison.Ordinal);

        // The chip opens its source: the passage on the page, the document in a new tab through a presigned link.
        var (link, sent) = await OpenSourceAsync(page, chip);
        var source = page.GetByRole(AriaRole.Region, new() { Name = "Source" });
        await Assertions.Expect(source).ToContainTextAsync("annual leave");
        await Assertions.Expect(source).ToBeFocusedAsync();
        Assert.StartsWith($"http://{fixture.Stack.S3.Endpoint}/{LodeStack.Bucket}/hr/leave-policy.md?", link, StringComparison.Ordinal);
        Assert.DoesNotContain("#page=", link, StringComparison.Ordinal); // only PDFs open at a page
        Assert.Equal(link, sent.Url);
        using var store = new HttpClient();
        using var shown = await store.GetAsync(link);
        Assert.Equal("text/plain", shown.Content.Headers.ContentType?.MediaType); // shown, as plain text
        Assert.Contains("27 days of annual leave", await shown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "chat.png"), FullPage = true });
    }

    [Fact]
    public async Task Conversations_come_back_with_the_same_key_only()
    {
        var page = await OpenAsync();
        await SignInAsync(page, LodeStack.ApiKey);
        await page.GetByLabel("Question").FillAsync("Who approves leave requests?");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#messages .message.assistant .text")).ToContainTextAsync("line manager");

        // Signing out leaves nothing of it on the page; another key (the same browser) does not see it.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.Locator("#messages li")).ToHaveCountAsync(0);
        await SignInAsync(page, WebPageFixture.EditorKey);
        await Assertions.Expect(page.GetByLabel("Question")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Who approves leave requests?" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        // The first key, after the tab is reloaded, gets its conversation back; then deletes it.
        await page.ReloadAsync();
        await SignInAsync(page, LodeStack.ApiKey);
        var kept = page.GetByRole(AriaRole.Button, new() { Name = "Who approves leave requests?" });
        await Assertions.Expect(kept).ToBeVisibleAsync();
        await kept.ClickAsync();
        await Assertions.Expect(page.Locator("#messages .message.assistant .text")).ToContainTextAsync("line manager");
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete this conversation" }).ClickAsync();
        await Assertions.Expect(kept).ToHaveCountAsync(0);
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByLabel("Question")).ToBeVisibleAsync(); // still signed in: the key is in this tab's session
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Who approves leave requests?" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_wrong_key_shows_a_readable_message_and_stays_on_sign_in()
    {
        var page = await OpenAsync();

        await SignInAsync(page, "not-a-key-this-app-knows-0123456789");

        await Assertions.Expect(page.GetByRole(AriaRole.Alert))
            .ToHaveTextAsync("That API key was not accepted. Check it and sign in again.");
        await Assertions.Expect(page.GetByLabel("API key")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Question")).ToBeHiddenAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('lode.apiKey')"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "wrong-key.png") });
    }

    // The app's 429 and 503 are hard to provoke on cue from a browser, so the page's own handling of them is checked by
    // answering its request in the browser (Playwright's routing) with the API's exact error shape.
    [Theory]
    [InlineData(429, "30", "Too many requests right now. Wait a moment and try again. (about 30 s)")]
    [InlineData(503, "10", "The service is unavailable at the moment. Try again in a minute.")]
    public async Task A_refused_question_is_explained_in_words_and_kept_for_another_try(int status, string retryAfter, string sentence)
    {
        var page = await OpenAsync();
        await SignInAsync(page, LodeStack.ApiKey);
        await page.RouteAsync("**/api/chat", route => route.FulfillAsync(new()
        {
            Status = status,
            ContentType = "application/json",
            Headers = new Dictionary<string, string> { ["Retry-After"] = retryAfter },
            Body = """{"error":{"code":"busy","message":"internal detail a person does not need"}}""",
        }));

        await page.GetByLabel("Question").FillAsync("What is the leave policy?");
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(sentence);
        // The question is back in the box and no half answer is left in the conversation.
        await Assertions.Expect(page.GetByLabel("Question")).ToHaveValueAsync("What is the leave policy?");
        await Assertions.Expect(page.Locator("#messages .message.assistant")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_admin_sees_why_a_document_failed_and_can_queue_it_again_on_a_phone_sized_screen()
    {
        var page = await OpenAsync(390, 844);
        await SignInAsync(page, LodeStack.AdminApiKey);

        await page.GetByRole(AriaRole.Button, new() { Name = "Documents" }).ClickAsync();
        await page.GetByLabel("Status").SelectOptionAsync("failed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();

        var row = page.Locator("#document-table tbody tr", new() { HasText = WebPageFixture.FailedKey });
        await Assertions.Expect(row.Locator(".why")).Not.ToBeEmptyAsync();
        await Assertions.Expect(page.Locator("#document-table tbody tr")).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "documents-phone.png"), FullPage = true });

        await row.GetByRole(AriaRole.Button, new() { Name = $"Retry {LodeStack.Bucket}/{WebPageFixture.FailedKey}" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"{LodeStack.Bucket}/{WebPageFixture.FailedKey} is queued again.");
    }

    [Fact]
    public async Task A_reader_sees_documents_but_no_retry_button()
    {
        var page = await OpenAsync();
        await SignInAsync(page, LodeStack.ApiKey);

        await page.GetByRole(AriaRole.Button, new() { Name = "Documents" }).ClickAsync();

        await Assertions.Expect(page.Locator("#document-table tbody tr", new() { HasText = WebPageFixture.IndexedKey })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Retry" })).ToHaveCountAsync(0);
        // Readers are not in Uploads:Groups: no upload form.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Upload" })).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Uploading_a_pdf_then_asking_about_it_gives_a_citation_that_opens_the_cited_page()
    {
        const string fileName = "harbour handbook.pdf";
        var handbook = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestData", "handbook-12pages.pdf"));
        var page = await OpenAsync();
        await SignInAsync(page, WebPageFixture.EditorKey);

        // Upload: a presigned PUT straight to the store, then watched from pending to indexed.
        await page.GetByRole(AriaRole.Button, new() { Name = "Documents" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Upload" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Bucket").First).ToHaveValueAsync(LodeStack.Bucket);
        await page.GetByLabel("Folder").FillAsync("manuals");
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "editors" }).UncheckAsync(); // readable by staff only
        // With a file Lode cannot read: it is refused with the reason, and the PDF goes on.
        await page.GetByLabel("Files", new() { Exact = true }).SetInputFilesAsync(new[]
        {
            new FilePayload { Name = "diagram.svg", MimeType = "image/svg+xml", Buffer = "<svg/>"u8.ToArray() },
            new FilePayload { Name = fileName, MimeType = "application/pdf", Buffer = handbook },
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();

        var refused = page.Locator("#upload-list li", new() { HasText = "diagram.svg" });
        await Assertions.Expect(refused.Locator(".status")).ToHaveTextAsync("not uploaded");
        await Assertions.Expect(refused.Locator(".why")).ToContainTextAsync("Lode cannot read '.svg' files");

        var upload = page.Locator("#upload-list li", new() { HasText = fileName });
        await Assertions.Expect(upload.Locator(".status")).ToHaveTextAsync("indexed", new() { Timeout = 120_000 });
        await Assertions.Expect(upload.Locator(".why")).ToContainTextAsync("12 page(s)");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "upload.png"), FullPage = true });
        var key = $"manuals/{fileName}";
        var stored = (await fixture.Stack.GetDocumentAsync(key))!.Value;
        Assert.Equal([TestReaders.Group], stored.GetProperty("readGroups").EnumerateArray().Select(g => g.GetString()));

        // Ask about one page of it; the answer streams with chips for the handbook's passages.
        await page.GetByRole(AriaRole.Button, new() { Name = "Chat" }).ClickAsync();
        await page.GetByLabel("Question").FillAsync("Which register is pagemarker07?");
        await page.Keyboard.PressAsync("Enter");
        var answer = page.Locator("#messages .message.assistant").Last;
        var chip = answer.Locator(".chip", new() { HasText = key }).First;
        await Assertions.Expect(chip).ToBeVisibleAsync(new() { Timeout = 60_000 });
        var citedPage = FirstPageOf(await chip.TextContentAsync() ?? "");

        // The chip shows the passage and opens the document itself in a new tab, at the cited page.
        var (link, sent) = await OpenSourceAsync(page, chip);
        var source = page.GetByRole(AriaRole.Region, new() { Name = "Source" });
        var snippet = await source.Locator("blockquote").TextContentAsync() ?? "";
        await Assertions.Expect(source.GetByRole(AriaRole.Button, new() { Name = $"Open the document at page {citedPage}" })).ToBeVisibleAsync();
        Assert.EndsWith($"#page={citedPage}", link, StringComparison.Ordinal);
        Assert.StartsWith($"http://{fixture.Stack.S3.Endpoint}/{LodeStack.Bucket}/manuals/", link, StringComparison.Ordinal);
        Assert.Equal(link[..link.IndexOf('#', StringComparison.Ordinal)], sent.Url); // the fragment stays in the browser

        // What the tab was sent to is the uploaded file, and the cited page is where the cited passage starts (read with
        // the extractor that indexed it, so the words compare alike).
        using var store = new HttpClient();
        var downloaded = await store.GetByteArrayAsync(link);
        Assert.Equal(handbook, downloaded);
        var pages = new PdfTextExtractor().Extract(new MemoryStream(downloaded), ExtractionLimits.Default, default).Pages;
        var passageStart = string.Join(' ', snippet.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Take(6));
        Assert.Contains(passageStart, Flatten(pages[citedPage - 1].Text), StringComparison.Ordinal);
    }

    // Clicks a citation chip and follows what it opens: the link the page got from api/sources, and the request the new
    // tab sent to the store. Watched on the network (the browser context sees the tab's requests whichever process it
    // moved to) rather than through the tab's address, which Playwright can lose track of when an about:blank pop-up
    // navigates to another origin on a busy machine.
    private async Task<(string Link, IRequest Sent)> OpenSourceAsync(IPage page, ILocator chip)
    {
        var sent = new TaskCompletionSource<IRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnRequest(object? sender, IRequest request)
        {
            if (request.Url.StartsWith($"http://{fixture.Stack.S3.Endpoint}/", StringComparison.Ordinal)) sent.TrySetResult(request);
        }
        page.Context.Request += OnRequest;
        try
        {
            var answered = await page.RunAndWaitForResponseAsync(() => chip.ClickAsync(), r => r.Url.Contains("/api/sources/", StringComparison.Ordinal));
            var link = (await answered.JsonAsync())!.Value.GetProperty("url").GetString()!;
            return (link, await sent.Task.WaitAsync(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            page.Context.Request -= OnRequest;
        }
    }

    // 7 for "[2] docs/manuals/x.pdf p. 7" or "... pp. 7–8".
    private static int FirstPageOf(string chipText)
    {
        var match = System.Text.RegularExpressions.Regex.Match(chipText, @"pp?\. (\d+)(?:–\d+)?$");
        Assert.True(match.Success, $"no page in '{chipText}'");
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Flatten(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
