using System.Buffers.Text;
using System.Security.Cryptography;

namespace Lode.Identity;

/// <summary>
/// Makes the keys the admin API hands out: 256 bits from the operating system's CSPRNG, base64url-encoded, behind a
/// fixed prefix so that people and secret scanners can tell a Lode key when one turns up in a log or a repository.
/// </summary>
public static class ApiKeyGenerator
{
    public const string Prefix = "lode_";

    private const int RandomBytes = 32;

    // 32 bytes are 43 base64url characters (no padding).
    private static readonly int KeyLength = Prefix.Length + Base64Url.GetEncodedLength(RandomBytes);

    public static string NewKey() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(RandomBytes));

    /// <summary>Whether <paramref name="key"/> has the shape of a generated key (says nothing about whether it exists).</summary>
    public static bool IsWellFormed(string key) =>
        key.Length == KeyLength
        && key.StartsWith(Prefix, StringComparison.Ordinal)
        && Base64UrlText.IsStrict(key.AsSpan(Prefix.Length));
}
