namespace Lode.Tests.Embeddings;

/// <summary>Vector arithmetic for comparing embeddings, in double precision.</summary>
internal static class Vectors
{
    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }

        return sum;
    }

    public static double Norm(ReadOnlySpan<float> v) => Math.Sqrt(Dot(v, v));

    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => Dot(a, b) / (Norm(a) * Norm(b));

    public static double MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        double max = 0;
        for (var i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        }

        return max;
    }

    /// <summary>The same vector up to float rounding of a different computation order: cosine ≥ 0.9999 and every component within 1e-4.</summary>
    public static void AssertSame(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        var cosine = Cosine(expected, actual);
        var difference = MaxAbsDifference(expected, actual);
        Assert.True(cosine >= 0.9999 && difference <= 1e-4, $"{what}: cosine {cosine:F6}, max abs difference {difference:E2}");
    }
}
