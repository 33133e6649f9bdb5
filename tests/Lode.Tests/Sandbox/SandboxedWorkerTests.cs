using System.Text;
using Lode.Tests.Support;

namespace Lode.Tests.Sandbox;

/// <summary>
/// Hostile documents through the real worker (real PostgreSQL, real S3 server, real extractor children): each ends
/// indexed or failed at its first attempt, the app stays up, and an ordinary document queued behind them is indexed.
/// </summary>
public sealed class SandboxedWorkerTests
{
    private const string Ordinary = "# Ferry timetable\n\nThe first ferry leaves at seven.";

    [Fact]
    public async Task The_nested_div_document_fails_at_once_and_the_document_queued_behind_it_is_indexed()
    {
        await using var stack = await LodeStack.StartAsync(null, null,
            "--Ingestion:ExtractionTimeoutSeconds=10", "--Ingestion:MaxConcurrency=1");

        await stack.PutAsync("deep.html", SandboxFixtures.NestedDivs(), "text/html");
        await stack.PutAsync("ordinary.md", Encoding.UTF8.GetBytes(Ordinary), "text/markdown");

        var deep = (await stack.WaitForStatusAsync("deep.html", "failed", TimeSpan.FromMinutes(3)))!.Value;
        var ordinary = (await stack.WaitForStatusAsync("ordinary.md", "indexed", TimeSpan.FromMinutes(3)))!.Value;
        Assert.Equal(1, deep.GetProperty("attempts").GetInt32());
        Assert.Matches("wall time|CPU seconds|stack overflow", deep.GetProperty("error").GetString());
        Assert.True(ordinary.GetProperty("chunks").GetInt32() > 0);
    }

    [Fact]
    public async Task Fuzzed_documents_each_end_indexed_or_failed_at_once_and_an_ordinary_document_behind_them_is_indexed()
    {
        // Fixed seed and count; a tight extraction limit bounds the whole run (about a minute on two shared cores).
        var documents = HostileDocuments.Generate(seed: 20261203, mutationsPerFile: 3);
        await using var stack = await LodeStack.StartAsync(null, null, "--Ingestion:ExtractionTimeoutSeconds=5");

        foreach (var document in documents) await stack.PutAsync(document.Key, document.Bytes, document.ContentType);
        await stack.PutAsync("ordinary.md", Encoding.UTF8.GetBytes(Ordinary), "text/markdown");

        foreach (var document in documents)
        {
            var shown = await stack.WaitForDocumentAsync(document.Key,
                d => d?.GetProperty("status").GetString() is "indexed" or "failed", TimeSpan.FromMinutes(3));
            Assert.True(shown is not null, $"{document.Key} never appeared");
            var status = shown.Value.GetProperty("status").GetString();
            // Indexed, or failed at its first attempt: a document is never retried for what it is.
            Assert.True(status == "indexed" || shown.Value.GetProperty("attempts").GetInt32() == 1, $"{document.Key}: {shown}");
        }
        var ordinary = (await stack.WaitForStatusAsync("ordinary.md", "indexed", TimeSpan.FromMinutes(3)))!.Value;
        Assert.True(ordinary.GetProperty("chunks").GetInt32() > 0);
        using var health = await stack.Api.GetAsync("api/documents?bucket=" + LodeStack.Bucket);
        Assert.True(health.IsSuccessStatusCode, "the app stopped answering");
    }
}
