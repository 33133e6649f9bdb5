using System.Net;
using Lode.Functions.Http;

namespace Lode.Tests.Hosting;

/// <summary>The web page and its files are served by the app itself, with headers that lock the page down.</summary>
public sealed class WebPageTests(StandaloneAppFixture fixture) : IClassFixture<StandaloneAppFixture>
{
    private HttpClient Client => fixture.App.Client;

    [Theory]
    [InlineData("/", "text/html")]
    [InlineData("/app/app.js", "text/javascript")]
    [InlineData("/app/api.js", "text/javascript")]
    [InlineData("/app/chat.js", "text/javascript")]
    [InlineData("/app/conversations.js", "text/javascript")]
    [InlineData("/app/documents.js", "text/javascript")]
    [InlineData("/app/upload.js", "text/javascript")]
    [InlineData("/app/app.css", "text/css")]
    public async Task Each_file_is_served_with_its_type_and_a_strict_policy(string path, string mediaType)
    {
        using var response = await Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.StartsWith("default-src 'none'; script-src 'self'; style-src 'self';", policy, StringComparison.Ordinal);
        // This origin, and the object store the page uploads to (the app's Storage:Endpoint; no Storage:PublicEndpoint set).
        Assert.Contains("connect-src 'self' http://127.0.0.1:9;", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.True(response.Headers.CacheControl?.NoCache);
        Assert.NotNull(response.Headers.ETag);
        Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task An_unchanged_file_is_revalidated_with_304()
    {
        using var first = await Client.GetAsync("/app/app.js");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/app/app.js");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        using var second = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Theory]
    [InlineData("/app/appsettings.json")]
    [InlineData("/app/Lode.Functions.dll")]
    [InlineData("/app/..%2Fappsettings.json")]
    [InlineData("/app/index.htm")]
    public async Task Only_the_listed_files_are_served(string path)
    {
        using var response = await Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task The_page_has_no_inline_script_and_loads_its_module()
    {
        var html = await Client.GetStringAsync("/");

        Assert.Contains("<script type=\"module\" src=\"app/app.js\"></script>", html, StringComparison.Ordinal);
        Assert.Equal(1, html.Split("<script").Length - 1);
    }

    [Fact]
    public void Every_listed_file_is_embedded() =>
        Assert.All(WebAssets.Names, name =>
            Assert.NotNull(typeof(WebAssets).Assembly.GetManifestResourceStream("web/" + name)));
}
