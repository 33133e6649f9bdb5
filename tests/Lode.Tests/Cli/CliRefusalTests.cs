using Lode.Tests.Support;

namespace Lode.Tests.Cli;

/// <summary>
/// The <c>lode</c> command against an app that refuses (a real loopback HTTP server answering 429 or 503 the way the
/// API does) or against nothing at all: each case ends in one sentence on stderr, exit code 1, and no stack trace.
/// </summary>
public sealed class CliRefusalTests
{
    private const string Key = "cli-refusal-test-key-0123456789abcdef";

    [Theory]
    [InlineData("status", "GET", "/api/documents")]
    [InlineData("ask When does the harbour open?", "POST", "/api/chat")]
    [InlineData("keys list", "GET", "/api/admin/keys")]
    public async Task A_rate_limited_request_says_when_to_try_again_and_which_limit_was_hit(string command, string method, string path)
    {
        await using var app = new RefusingApiServer(429, "7",
            RefusingApiServer.ApiError("rate_limited", "Too many requests from these credentials. Retry after 7 s."));

        var result = await CliRun.RunAsync(app.Url, Key, command.Split(' '));

        AssertOneSentence("Too many requests (429): try again in 7 seconds. Too many requests from these credentials. Retry after 7 s.", result);
        AssertAskedOnce(app, method, path);
    }

    [Theory]
    [InlineData("1", "try again in 1 second.")]
    [InlineData("Wed, 01 Jan 2031 10:00:00 GMT", "try again after 2031-01-01 10:00:00Z.")]
    [InlineData(null, "try again later.")]
    public async Task A_rate_limit_gives_its_retry_after_as_seconds_a_date_or_later(string? retryAfter, string when)
    {
        await using var app = new RefusingApiServer(429, retryAfter,
            RefusingApiServer.ApiError("rate_limited", "Too many failed authentication attempts from your address."));

        var result = await CliRun.RunAsync(app.Url, Key, "status");

        AssertOneSentence($"Too many requests (429): {when} Too many failed authentication attempts from your address.", result);
    }

    [Theory]
    [InlineData("model_busy", "The language model is busy; retry after 30 s.")]
    [InlineData("audit_unavailable", "The audit trail cannot be written, and answers are only given once they are recorded. Try again later.")]
    public async Task An_unavailable_app_says_when_to_try_again_and_gives_its_reason(string code, string message)
    {
        await using var app = new RefusingApiServer(503, "30", RefusingApiServer.ApiError(code, message));

        var result = await CliRun.RunAsync(app.Url, Key, "ask", "When does the harbour open?");

        AssertOneSentence($"Lode is unavailable or busy (503): try again in 30 seconds. {message}", result);
        AssertAskedOnce(app, "POST", "/api/chat");
    }

    [Fact]
    public async Task A_503_page_from_a_proxy_in_front_of_the_app_still_ends_in_one_sentence()
    {
        await using var app = new RefusingApiServer(503, retryAfter: null,
            "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>", "text/html");

        var result = await CliRun.RunAsync(app.Url, Key, "status");

        AssertOneSentence("Lode is unavailable or busy (503): try again later.", result);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("ask When does the harbour open?")]
    public async Task An_unreachable_app_says_to_check_the_address(string command)
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";

        var result = await CliRun.RunAsync(url, Key, command.Split(' '));

        AssertOneSentence($"Cannot reach Lode at {url}/: is the app running, and is --url (LODE_URL) right?", result);
    }

    [Fact]
    public async Task The_built_command_reports_an_unreachable_app_without_a_stack_trace()
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";

        var result = await CliRun.RunProcessAsync(new Dictionary<string, string> { ["LODE_URL"] = url, ["LODE_API_KEY"] = Key }, "status");

        AssertOneSentence($"Cannot reach Lode at {url}/: is the app running, and is --url (LODE_URL) right?", result);
    }

    /// <summary>Exit code 1, nothing on stdout, and exactly <paramref name="sentence"/> on stderr (so no stack trace).</summary>
    private static void AssertOneSentence(string sentence, CliResult result)
    {
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Empty(result.Output);
        Assert.Equal(sentence, result.Error.TrimEnd());
    }

    /// <summary>The command really asked the app, with its key, and did not retry the refused request.</summary>
    private static void AssertAskedOnce(RefusingApiServer app, string method, string path)
    {
        var request = Assert.Single(app.Requests);
        Assert.Equal(method, request.Method);
        Assert.Equal(path, request.Path);
        Assert.Equal($"Bearer {Key}", request.Authorization);
    }
}
