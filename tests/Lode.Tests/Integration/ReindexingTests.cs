using System.Text;
using Lode.Embeddings;
using Lode.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Tests.Integration;

/// <summary>Re-indexing a changed document embeds only the chunks whose text changed.</summary>
public sealed class ReindexingTests
{
    [Fact]
    public async Task Changing_one_paragraph_re_embeds_only_the_chunks_that_hold_it()
    {
        await using var stack = await LodeStack.StartAsync(overrides: services =>
        {
            services.AddSingleton(sp => new CountingEmbeddingGenerator(sp.GetRequiredService<OnnxSentenceEmbeddingGenerator>()));
            services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => sp.GetRequiredService<CountingEmbeddingGenerator>());
        });
        var counter = stack.App.Services.GetRequiredService<CountingEmbeddingGenerator>();
        var paragraphs = Enumerable.Range(1, 60).Select(i =>
            $"Section {i}. Visitors to building {i} sign the register at reception and wear badge colour {i % 7}. " +
            $"Escorts are required beyond the second door of wing {i}, and all visits end by six in the evening.").ToList();
        const string key = "policies/visitors.txt";

        await stack.PutAsync(key, Encoding.UTF8.GetBytes(string.Join("\n\n", paragraphs)), "text/plain");
        var first = (await stack.WaitForStatusAsync(key, "indexed"))!.Value;
        var chunks = first.GetProperty("chunks").GetInt32();
        var embeddedFirst = counter.Texts;

        paragraphs[30] = "Section 31. This wing is closed to visitors for renovation until further notice.";
        await stack.PutAsync(key, Encoding.UTF8.GetBytes(string.Join("\n\n", paragraphs)), "text/plain");
        await stack.WaitForDocumentAsync(key, d => d?.GetProperty("status").GetString() == "indexed"
            && d.Value.GetProperty("etag").GetString() != first.GetProperty("etag").GetString());
        var embeddedSecond = counter.Texts - embeddedFirst;

        Assert.True(chunks >= 8, $"expected a document of several chunks, got {chunks}");
        Assert.Equal(chunks, embeddedFirst);
        Assert.InRange(embeddedSecond, 1, 3);
    }
}
