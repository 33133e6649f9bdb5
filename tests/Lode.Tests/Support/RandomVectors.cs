namespace Lode.Tests.Support;

/// <summary>Random directions in the index's embedding space, for tests that need vectors but not meaning.</summary>
public static class RandomVectors
{
    /// <summary>A unit vector of <see cref="TestDatabase.Dimensions"/> components, uniform on the sphere.</summary>
    public static float[] Unit(Random random)
    {
        var v = new float[TestDatabase.Dimensions];
        double norm = 0;
        for (var i = 0; i < v.Length; i++)
        {
            // Box–Muller: Gaussian components give directions uniform on the sphere.
            var g = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            v[i] = (float)g;
            norm += g * g;
        }
        var scale = (float)(1 / Math.Sqrt(norm));
        for (var i = 0; i < v.Length; i++) v[i] *= scale;
        return v;
    }
}
