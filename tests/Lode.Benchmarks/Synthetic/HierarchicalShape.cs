namespace Lode.Benchmarks.Synthetic;

/// <summary>
/// How <see cref="HierarchicalCorpus"/> scatters its points. Spreads are the expected length of the noise added to a
/// unit vector before it is normalised again (1 ≈ cosine 0.7 to where it started). Noise is not isotropic: its
/// variance along the j-th of the topic's own (shuffled) axes falls as (j + 1)^-Decay, so a neighbourhood varies
/// along a few directions, as real text embeddings do; Decay 0 is the isotropic case.
/// </summary>
internal sealed record HierarchicalShape(double Decay, double DocumentSpread, double ChunkSpread, double QuerySpread, int ChunksPerDocument)
{
    /// <summary>
    /// Fitted on the manual question set (the <c>realism</c> benchmark, docs/benchmarks.md): the relative contrast and
    /// local intrinsic dimensionality (k = 10, 20) of these queries against these chunks are within 13 % of MiniLM's for
    /// the quality set's questions against the six manuals' 3,857 chunks, at the same number of chunks.
    /// </summary>
    public static readonly HierarchicalShape Fitted = new(Decay: 1.1, DocumentSpread: 1.0, ChunkSpread: 2.0, QuerySpread: 2.0, ChunksPerDocument: 100);

    public override string ToString() => FormattableString.Invariant(
        $"decay {Decay}, document spread {DocumentSpread}, chunk spread {ChunkSpread}, query spread {QuerySpread}, {ChunksPerDocument} chunks a document");
}
