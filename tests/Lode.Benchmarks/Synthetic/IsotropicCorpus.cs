namespace Lode.Benchmarks.Synthetic;

/// <summary>
/// The first benchmark's data (<c>--data isotropic</c>), kept so its published figures stay reproducible: each chunk
/// and query at cosine ~0.7 from one of the topic centres, with noise of the same length spread evenly over all 384
/// dimensions. Inside a topic every point is almost equidistant from a query: no real embedding set looks like that,
/// and it is the hardest case for a graph index. Chunks take the benchmark's documents in turn.
/// </summary>
internal sealed class IsotropicCorpus(int seed, int clusters) : SyntheticCorpus(seed, clusters)
{
    public const string Name = "isotropic";
    private int _chunks;

    public override SyntheticChunk Chunk()
    {
        var cluster = Random.Next(Centres.Length);
        var text = ChunkText(cluster);
        return new SyntheticChunk(text, Around(Centres[cluster]), _chunks++ % Documents);
    }

    public override SyntheticQuery Query()
    {
        var cluster = Random.Next(Centres.Length);
        var text = QueryText(cluster);
        return new SyntheticQuery(text, Around(Centres[cluster]), Random.Next(Buckets));
    }

    // A unit vector at cosine ~0.7 from its centre: noise of the same length as the centre.
    private float[] Around(float[] centre)
    {
        var noise = Normalized(Gaussian(1.0));
        var v = new float[Dimensions];
        for (var d = 0; d < Dimensions; d++) v[d] = centre[d] + noise[d];
        return Normalized(v);
    }
}
