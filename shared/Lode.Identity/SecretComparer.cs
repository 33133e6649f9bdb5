using System.Security.Cryptography;
using System.Text;

namespace Lode.Identity;

/// <summary>
/// Compares presented secrets with expected ones in constant time. Both sides are hashed first so the comparison
/// takes the same time whatever the lengths, and the expected secret is only held as a hash.
/// </summary>
public sealed class HashedSecret
{
    private readonly byte[] _hash;

    public HashedSecret(string secret) => _hash = Hash(secret);

    public bool Matches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(_hash, Hash(presented));

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
