using System.Security.Cryptography;
using System.Text;

namespace Lode.Ingestion.Pipeline;

/// <summary>
/// Chunk ids derived from (bucket, key, ordinal, index generation): re-indexing a document reproduces the same ids, so
/// nothing that refers to a chunk by id (citations, audit rows) is orphaned by a re-import, and duplicates are
/// impossible. Generation 1's ids are those of an index from before generations existed; later generations' ids
/// include the generation, since the same chunk is stored once per generation.
/// </summary>
public static class ChunkIdentity
{
    public static Guid For(string bucket, string key, int ordinal, int generation = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(generation, 1);
        // NUL cannot occur in bucket names and is escaped in keys by every S3 client, so the fields cannot run together.
        var input = Encoding.UTF8.GetBytes(generation == 1 ? $"{bucket}\0{key}\0{ordinal}" : $"{bucket}\0{key}\0{ordinal}\0{generation}");
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // RFC 9562 version 8: custom, name-based
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }
}
