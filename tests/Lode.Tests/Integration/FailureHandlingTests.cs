using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Lode.Tests.Hosting;
using Lode.Tests.Support;

namespace Lode.Tests.Integration;

/// <summary>Transient failures are retried with backoff; after the last attempt the document shows why it failed.</summary>
public sealed class FailureHandlingTests
{
    [Fact]
    public async Task A_document_whose_store_is_unreachable_is_retried_then_marked_failed_with_the_reason()
    {
        // The store address is a closed port: every attempt fails the way a store outage does.
        await using var app = await StandaloneApp.StartAsync([
            "--Ingestion:MaxAttempts=3", "--Ingestion:RetryBaseSeconds=0.2", "--Ingestion:RetryMaxSeconds=0.5",
            "--Ingestion:PollSeconds=0.1",
        ]);
        var body = JsonSerializer.Serialize(new
        {
            Records = new[] { new { eventName = "s3:ObjectCreated:Put", s3 = new { bucket = new { name = "b" }, @object = new { key = "x.pdf" } } } },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/minio/events") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", StandaloneApp.FixtureWebhookToken);
        using var accepted = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

        app.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", StandaloneApp.FixtureAdminApiKey);
        JsonElement document = default;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await app.Client.GetAsync("api/documents/b/x.pdf");
            if (response.IsSuccessStatusCode)
            {
                document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                if (document.GetProperty("status").GetString() == "failed") break;
            }
            await Task.Delay(100);
        }

        Assert.Equal("failed", document.GetProperty("status").GetString());
        Assert.Equal(3, document.GetProperty("attempts").GetInt32());
        Assert.Contains("after 3 attempts", document.GetProperty("error").GetString());

        // The object could never be looked at, so its groups are unknown: the failure is shown to admins only.
        app.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", StandaloneApp.FixtureApiKey);
        using var hidden = await app.Client.GetAsync("api/documents/b/x.pdf");
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
    }
}
