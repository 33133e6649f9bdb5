using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Lode.Database;
using Lode.Embeddings;
using Lode.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lode.Tests.Embeddings;

/// <summary>Embeddings:Model in the real app: the model it selects is the one that runs, is recorded and is served.</summary>
public sealed class EmbeddingModelStartupTests
{
    private const string Text = "how long are audit logs kept";

    [Fact]
    public async Task An_unknown_model_stops_start_up_listing_the_known_ones()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StandaloneApp.StartAsync(["--Embeddings:Model=bge-small-en-v1.5"]));

        Assert.Contains("Embeddings:Model 'bge-small-en-v1.5'", error.Message, StringComparison.Ordinal);
        Assert.Contains("all-MiniLM-L6-v2, snowflake-arctic-embed-xs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_selected_model_runs_is_recorded_in_the_index_and_serves_v1_embeddings()
    {
        await using var app = await StandaloneApp.StartAsync(["--Embeddings:Model=snowflake-arctic-embed-xs"]);
        var generator = app.Services.GetRequiredService<OnnxSentenceEmbeddingGenerator>();

        Assert.Same(SentenceEmbeddingModel.ArcticXs, generator.Model);
        Assert.Equal("snowflake-arctic-embed-xs", await app.Services.GetRequiredService<IndexSettings>().GetAsync("embedding_model", default));

        using var models = await SendAsync(app, HttpMethod.Get, "v1/models", null);
        Assert.Contains("snowflake-arctic-embed-xs", models.Data.EnumerateArray().Select(m => m.GetProperty("id").GetString()));

        var document = (await generator.GenerateAsync([Text]))[0].Vector.ToArray();
        var query = (await generator.GenerateQueryEmbeddingAsync(Text)).Vector.ToArray();
        Assert.Equal(document, await EmbedAsync(app, new { input = Text, model = "snowflake-arctic-embed-xs" }));
        Assert.Equal(document, await EmbedAsync(app, new { input = Text, input_type = "document" }));
        Assert.Equal(query, await EmbedAsync(app, new { input = new[] { Text }, input_type = "query" }));

        using var wrong = await SendAsync(app, HttpMethod.Post, "v1/embeddings", new { input = Text, input_type = "question" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.Status);
        Assert.Equal("invalid_input_type", wrong.Body.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    private static async Task<float[]> EmbedAsync(StandaloneApp app, object body)
    {
        using var response = await SendAsync(app, HttpMethod.Post, "v1/embeddings", body);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("snowflake-arctic-embed-xs", response.Body.RootElement.GetProperty("model").GetString());
        return response.Data.EnumerateArray().Single().GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();
    }

    private static async Task<Answer> SendAsync(StandaloneApp app, HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", StandaloneApp.FixtureApiKey);
        using var response = await app.Client.SendAsync(request);
        return new Answer(response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()));
    }

    private sealed record Answer(HttpStatusCode Status, JsonDocument Body) : IDisposable
    {
        public JsonElement Data => Body.RootElement.GetProperty("data");

        public void Dispose() => Body.Dispose();
    }
}
