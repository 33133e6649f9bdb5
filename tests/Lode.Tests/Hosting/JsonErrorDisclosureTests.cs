using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Lode.Tests.Hosting;

/// <summary>A body of the wrong shape gets a 400 that says where, never which CLR type the app was reading.</summary>
public sealed class JsonErrorDisclosureTests(StandaloneAppFixture fixture) : IClassFixture<StandaloneAppFixture>
{
    [Theory]
    [InlineData("api/chat", """{"messages":"not a list"}""")]
    [InlineData("api/chat", """{"messages":[{"role":"user","content":"hi"}],"maxTokens":"many"}""")]
    [InlineData("v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"max_tokens":{"a":1}}""")]
    [InlineData("api/search", """{"query":"x","top":"ten"}""")]
    [InlineData("api/reindex", """{"bucket":["documents"]}""")]
    public async Task A_body_of_the_wrong_shape_names_no_CLR_type(string route, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", StandaloneApp.FixtureAdminApiKey);

        using var response = await fixture.App.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("Lode.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
        Assert.Contains("$.", text, StringComparison.Ordinal);
    }
}
