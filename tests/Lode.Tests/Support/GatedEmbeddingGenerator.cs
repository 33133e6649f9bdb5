using Lode.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Tests.Support;

/// <summary>
/// The app's configured embedder, held back until the test opens the gate (documents wait; queries never do), and
/// counting the document texts it embedded.
/// </summary>
public sealed class GatedEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _documentTexts;

    /// <summary>Replaces the app's embedder with a closed gate; resolve it as <see cref="GatedEmbeddingGenerator"/>.</summary>
    public static void Register(IServiceCollection services) => AppEmbedder.Replace(services, real => new GatedEmbeddingGenerator(real));

    /// <summary>Document texts embedded so far (queries not counted).</summary>
    public int DocumentTexts => Volatile.Read(ref _documentTexts);

    public void Open() => _open.TrySetResult();

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = values.ToList();
        if (options.GetInputKind() == EmbeddingInputKind.Document)
        {
            await _open.Task.WaitAsync(cancellationToken);
            Interlocked.Add(ref _documentTexts, list.Count);
        }
        return await base.GenerateAsync(list, options, cancellationToken);
    }

    // DelegatingEmbeddingGenerator would dispose the shared real model; the container owns that.
    protected override void Dispose(bool disposing)
    {
    }
}
