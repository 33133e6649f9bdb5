namespace Lode.Benchmarks.Synthetic;

/// <summary>
/// Embedding-like data with the structure of real documents (<c>--data hierarchical</c>, the default): topic centre →
/// document centre → chunk, each level a smaller step along the topic's few dominant directions
/// (<see cref="HierarchicalShape"/>), and a query is a new point of a chosen document, as a question lies near the
/// passage that answers it. A document's chunks come one after the other and belong to one of the benchmark's
/// documents, so a bucket filter keeps whole documents. Document centres are kept for the queries (rows ÷ chunks a
/// document of them: ~77 MB at a million chunks).
/// </summary>
internal sealed class HierarchicalCorpus : SyntheticCorpus
{
    public const string Name = "hierarchical";
    private readonly HierarchicalShape _shape;
    private readonly double[] _scales;
    private readonly int[][] _axes;
    private readonly List<(int Topic, float[] Centre)> _documents = [];
    private int _chunksLeft;

    public HierarchicalCorpus(int seed, int clusters, int rows, HierarchicalShape shape) : base(seed, clusters)
    {
        _shape = shape;
        // Variance (j + 1)^-decay along the j-th axis, scaled so the noise's expected squared length is 1.
        var variances = Enumerable.Range(0, Dimensions).Select(j => Math.Pow(j + 1, -shape.Decay)).ToArray();
        var total = variances.Sum();
        _scales = variances.Select(v => Math.Sqrt(v / total)).ToArray();
        // Each topic varies along its own axes: a shuffle of the dimensions.
        _axes = Enumerable.Range(0, clusters).Select(_ =>
        {
            var axes = Enumerable.Range(0, Dimensions).ToArray();
            Random.Shuffle(axes);
            return axes;
        }).ToArray();
        _documents.Capacity = rows / shape.ChunksPerDocument + 1;
    }

    public override SyntheticChunk Chunk()
    {
        if (_chunksLeft == 0)
        {
            var topic = Random.Next(Centres.Length);
            _documents.Add((topic, Around(Centres[topic], topic, _shape.DocumentSpread)));
            _chunksLeft = _shape.ChunksPerDocument;
        }
        _chunksLeft--;
        var document = _documents.Count - 1;
        var (documentTopic, centre) = _documents[document];
        var text = ChunkText(documentTopic);
        return new SyntheticChunk(text, Around(centre, documentTopic, _shape.ChunkSpread), document % Documents);
    }

    public override SyntheticQuery Query()
    {
        if (_documents.Count == 0) throw new InvalidOperationException("Queries are drawn after the chunks they ask about.");
        var asked = Random.Next(_documents.Count);
        var (topic, centre) = _documents[asked];
        var text = QueryText(topic);
        // The benchmark's document d % Documents holds the chunks, in bucket "b" + (that % Buckets).
        return new SyntheticQuery(text, Around(centre, topic, _shape.QuerySpread), Random.Next(Buckets), asked % Documents % Buckets);
    }

    // centre + spread × noise along the topic's axes, normalised.
    private float[] Around(float[] centre, int topic, double spread)
    {
        var axes = _axes[topic];
        var noise = Gaussian(1.0);
        var v = new float[Dimensions];
        for (var j = 0; j < Dimensions; j++) v[axes[j]] = (float)(spread * _scales[j] * noise[j]);
        for (var d = 0; d < Dimensions; d++) v[d] += centre[d];
        return Normalized(v);
    }
}
