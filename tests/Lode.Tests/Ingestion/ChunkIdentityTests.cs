using Lode.Ingestion.Pipeline;

namespace Lode.Tests.Ingestion;

public sealed class ChunkIdentityTests
{
    [Fact]
    public void Ids_are_stable_and_distinct_per_bucket_key_and_ordinal()
    {
        Assert.Equal(ChunkIdentity.For("b", "k", 0), ChunkIdentity.For("b", "k", 0));
        var ids = new[]
        {
            ChunkIdentity.For("b", "k", 0), ChunkIdentity.For("b", "k", 1),
            ChunkIdentity.For("b", "k2", 0), ChunkIdentity.For("b2", "k", 0),
            // Fields must not run together: "ab"+"c" and "a"+"bc" differ.
            ChunkIdentity.For("ab", "c", 0), ChunkIdentity.For("a", "bc", 0),
        };
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public void Ids_are_version_8_uuids() =>
        Assert.Equal('8', ChunkIdentity.For("b", "k", 3).ToString()[14]);
}
