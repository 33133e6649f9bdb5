namespace Lode.Embeddings;

/// <summary>The pooling and normalisation that follow the encoder, as sentence-transformers' Pooling + Normalize modules.</summary>
internal static class SentenceVectors
{
    /// <summary>
    /// One unit-length vector from the token states of one input: <paramref name="states"/> holds
    /// <paramref name="length"/> real tokens' states of <paramref name="dimensions"/> floats each (padding, which only
    /// ever follows them, is not passed).
    /// </summary>
    public static float[] Pool(ReadOnlySpan<float> states, int length, int dimensions, SentencePooling pooling)
    {
        var vector = new float[dimensions];
        switch (pooling)
        {
            case SentencePooling.Cls:
                states[..dimensions].CopyTo(vector);
                break;
            case SentencePooling.Mean:
                for (var t = 0; t < length; t++)
                {
                    var state = states.Slice(t * dimensions, dimensions);
                    for (var d = 0; d < dimensions; d++) vector[d] += state[d];
                }

                var divisor = Math.Max(length, 1e-9f);
                for (var d = 0; d < dimensions; d++) vector[d] /= divisor;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(pooling), pooling, "Unknown pooling.");
        }

        Normalize(vector);
        return vector;
    }

    private static void Normalize(Span<float> vector)
    {
        double squares = 0;
        foreach (var value in vector) squares += (double)value * value;

        var norm = (float)Math.Max(Math.Sqrt(squares), 1e-12);
        for (var d = 0; d < vector.Length; d++) vector[d] /= norm;
    }
}
