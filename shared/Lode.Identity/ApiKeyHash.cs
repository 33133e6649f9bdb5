using System.Security.Cryptography;
using System.Text;

namespace Lode.Identity;

/// <summary>
/// The one way an API key is hashed, for keys in configuration and in the database alike. A plain SHA-256 suffices
/// because keys are long random strings (Lode generates 256-bit ones): there is nothing to guess, so a slow
/// password hash would add only latency to every request.
/// </summary>
public static class ApiKeyHash
{
    public static byte[] Of(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static string HexOf(string key) => Convert.ToHexStringLower(Of(key));

    /// <summary>Parses a configured hex hash; null when it is not 64 hex digits.</summary>
    public static byte[]? TryParseHex(string? hex)
    {
        if (hex is null || hex.Length != 64) return null;
        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
