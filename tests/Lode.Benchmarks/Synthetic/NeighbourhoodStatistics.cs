namespace Lode.Benchmarks.Synthetic;

/// <summary>
/// How hard a nearest-neighbour search is, measured on the data itself (exact distances, every query against every
/// point): relative contrast — mean distance to all points ÷ distance to the 10th nearest (near 1: the nearest are
/// barely nearer than anything else) — and the maximum-likelihood local intrinsic dimensionality at k
/// (Levina–Bickel / Amsaleg et al. 2015: −1 / mean_{i≤k} ln(d_i / d_k); high: many directions of variation near the
/// query). Distances are Euclidean between unit vectors (a monotone function of the cosine). Points closer than 1e-6
/// (duplicates, the query itself) are skipped. Medians over the queries.
/// </summary>
internal sealed record NeighbourhoodStatistics(double RelativeContrast, double Lid10, double Lid20, double NearestCosine, double TenthCosine, double MeanCosine)
{
    private const int Deepest = 20;

    public static NeighbourhoodStatistics Measure(IReadOnlyList<float[]> points, IReadOnlyList<float[]> queries)
    {
        var contrast = new List<double>();
        var lid10 = new List<double>();
        var lid20 = new List<double>();
        var nearest = new List<double>();
        var tenth = new List<double>();
        var mean = new List<double>();
        var distances = new double[points.Count];
        foreach (var query in queries)
        {
            var count = 0;
            double sum = 0, cosineSum = 0;
            foreach (var point in points)
            {
                var cosine = Dot(query, point);
                var distance = Math.Sqrt(Math.Max(0, 2 - 2 * cosine));
                if (distance < 1e-6) continue;
                distances[count++] = distance;
                sum += distance;
                cosineSum += cosine;
            }
            if (count < Deepest) throw new ArgumentException($"Need at least {Deepest} points other than the query.");
            var sorted = distances.AsSpan(0, count);
            sorted.Sort();
            contrast.Add(sum / count / sorted[9]);
            lid10.Add(Lid(sorted[..10]));
            lid20.Add(Lid(sorted[..20]));
            nearest.Add(1 - sorted[0] * sorted[0] / 2);
            tenth.Add(1 - sorted[9] * sorted[9] / 2);
            mean.Add(cosineSum / count);
        }
        return new NeighbourhoodStatistics(Median(contrast), Median(lid10), Median(lid20), Median(nearest), Median(tenth), Median(mean));
    }

    private static double Lid(ReadOnlySpan<double> nearest)
    {
        var k = nearest.Length;
        double sum = 0;
        foreach (var d in nearest) sum += Math.Log(d / nearest[k - 1]);
        return sum < 0 ? -k / sum : double.PositiveInfinity;
    }

    private static double Dot(float[] a, float[] b)
    {
        var width = System.Numerics.Vector<float>.Count;
        var sums = System.Numerics.Vector<float>.Zero;
        var i = 0;
        for (; i <= a.Length - width; i += width)
            sums += new System.Numerics.Vector<float>(a, i) * new System.Numerics.Vector<float>(b, i);
        double dot = System.Numerics.Vector.Sum(sums);
        for (; i < a.Length; i++) dot += a[i] * b[i];
        return dot;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }
}
