using Lode.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Tests.Support;

/// <summary>The real embedder, which a test can break (every call throws, as when the model's host is away) and fix.</summary>
public sealed class SwitchableEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    public const string FailureMessage = "embedder unavailable (broken by the test)";

    private volatile bool _broken;

    /// <summary>Replaces the app's embedder; resolve it as <see cref="SwitchableEmbeddingGenerator"/>.</summary>
    public static void Register(IServiceCollection services) =>
        AppEmbedder.Replace(services, real => new SwitchableEmbeddingGenerator(real));

    public bool Broken
    {
        get => _broken;
        set => _broken = value;
    }

    public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        _broken ? throw new InvalidOperationException(FailureMessage) : base.GenerateAsync(values, options, cancellationToken);

    // DelegatingEmbeddingGenerator would dispose the shared real model; the container owns that.
    protected override void Dispose(bool disposing)
    {
    }
}
