using System.Text;
using Lode.Tests.Support;
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

    public LodeStack Stack { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    private IPlaywright playwright = null!;

    public async Task InitializeAsync()
    {
        Stack = await LodeStack.StartAsync();
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
    private static readonly string Screenshots = Path.Combine(S3ServerProcess.FindRepositoryRoot(), "docs", "screenshots");

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
        // The key never leaves session storage; the conversation is kept without it.
        var stored = await page.EvaluateAsync<string>("() => localStorage.getItem('lode.conversations')");
        Assert.Contains("27 days", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(LodeStack.ApiKey, stored, StringComparison.Ordinal);

        await chip.ClickAsync();
        var source = page.GetByRole(AriaRole.Region, new() { Name = "Source" });
        await Assertions.Expect(source).ToContainTextAsync("annual leave");
        await Assertions.Expect(source).ToBeFocusedAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "chat.png"), FullPage = true });
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
    }
}
