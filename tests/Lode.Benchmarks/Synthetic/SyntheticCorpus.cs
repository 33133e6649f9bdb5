namespace Lode.Benchmarks.Synthetic;

/// <summary>One generated chunk: its text, its unit vector, and which of the benchmark's documents holds it.</summary>
internal sealed record SyntheticChunk(string Text, float[] Vector, int Document);

/// <summary>
/// One generated query: its words, its unit vector, the bucket a filtered search keeps (drawn at random: most often
/// one that holds nothing of the query's topic) and, when the query asks about one document, that document's bucket.
/// </summary>
internal sealed record SyntheticQuery(string Text, float[] Vector, int Bucket, int? AskedBucket = null);

/// <summary>
/// Deterministic embedding-like data for the retrieval benchmark: 384-d unit vectors around topic centres, and texts
/// whose words follow the topic (30 % from its 20 topic words, the rest from a Zipf-distributed vocabulary of 5,000
/// pronounceable non-words). Subclasses decide how vectors scatter around the centres. Every chunk is drawn before
/// any query, from one seeded generator, so a run that replays the chunks (<c>--reuse</c>) gets the same queries.
/// </summary>
internal abstract class SyntheticCorpus
{
    public const int Dimensions = 384;
    public const int Documents = 1_000;
    public const int Buckets = 10;
    private const int Vocabulary = 5_000;
    private const int TopicWords = 20;
    private readonly string[] _words;
    private readonly int[][] _topics;
    private readonly double[] _zipf;

    /// <summary>The data sets <c>--data</c> selects: the default first.</summary>
    public static readonly IReadOnlyList<string> Names = [HierarchicalCorpus.Name, IsotropicCorpus.Name];

    public static SyntheticCorpus Create(string data, int seed, int clusters, int rows) => data switch
    {
        HierarchicalCorpus.Name => new HierarchicalCorpus(seed, clusters, rows, HierarchicalShape.Fitted),
        IsotropicCorpus.Name => new IsotropicCorpus(seed, clusters),
        _ => throw new ArgumentException($"Unknown --data '{data}': expected one of {string.Join(", ", Names)}."),
    };

    // The draw order (centres, then topic words) is the one the first benchmark used: the isotropic data set of the
    // published figures must stay reproducible from its seed.
    protected SyntheticCorpus(int seed, int clusters)
    {
        Random = new Random(seed);
        Centres = Enumerable.Range(0, clusters).Select(_ => Normalized(Gaussian(1.0))).ToArray();
        // Pronounceable non-words ("tavoriku"), so English stemming and stop words leave them alone.
        string[] syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "pe", "su", "da", "go", "hi", "ju", "be", "fa"];
        _words = Enumerable.Range(0, Vocabulary).Select(i =>
            string.Concat(syllables[i % 16], syllables[i / 16 % 16], syllables[i / 256 % 16], i >= 4096 ? "x" : "")).ToArray();
        _topics = Enumerable.Range(0, clusters).Select(_ => Enumerable.Range(0, TopicWords).Select(_ => Random.Next(Vocabulary)).ToArray()).ToArray();
        // Zipf's law for the background words: a few are everywhere, most are rare.
        _zipf = new double[Vocabulary];
        double sum = 0;
        for (var i = 0; i < Vocabulary; i++) _zipf[i] = sum += 1.0 / (i + 1);
        for (var i = 0; i < Vocabulary; i++) _zipf[i] /= sum;
    }

    protected Random Random { get; }

    /// <summary>Topic centres: random unit vectors.</summary>
    protected float[][] Centres { get; }

    public abstract SyntheticChunk Chunk();

    public abstract SyntheticQuery Query();

    /// <summary>20–60 words, 30 % of them the topic's.</summary>
    protected string ChunkText(int topic)
    {
        var words = new List<string>();
        var length = 20 + Random.Next(40);
        for (var i = 0; i < length; i++)
            words.Add(Random.NextDouble() < 0.3 ? _words[_topics[topic][Random.Next(TopicWords)]] : ZipfWord());
        return string.Join(' ', words);
    }

    /// <summary>Two of the topic's words and one Zipf word.</summary>
    protected string QueryText(int topic) =>
        $"{_words[_topics[topic][Random.Next(TopicWords)]]} {_words[_topics[topic][Random.Next(TopicWords)]]} {ZipfWord()}";

    private string ZipfWord()
    {
        var index = Array.BinarySearch(_zipf, Random.NextDouble());
        return _words[Math.Min(Vocabulary - 1, index < 0 ? ~index : index)];
    }

    protected float[] Gaussian(double sigma)
    {
        var v = new float[Dimensions];
        for (var d = 0; d < Dimensions; d++)
            v[d] = (float)(sigma * Math.Sqrt(-2 * Math.Log(1 - Random.NextDouble())) * Math.Cos(2 * Math.PI * Random.NextDouble()));
        return v;
    }

    protected static float[] Normalized(float[] v)
    {
        var norm = (float)Math.Sqrt(v.Sum(x => (double)x * x));
        return v.Select(x => x / norm).ToArray();
    }
}
