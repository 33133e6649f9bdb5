using System.Security.Cryptography;

namespace Lode.Teams;

/// <summary>
/// Checks the signature Microsoft Teams puts on an outgoing webhook's request: <c>Authorization: HMAC &lt;base64&gt;</c>,
/// the HMAC-SHA256 of the exact request body bytes keyed with the base64-decoded security token Teams showed when the
/// webhook was created. The body must be verified as received (before any parsing), since re-serialized JSON would
/// not be the bytes Teams signed. With no token configured every request is refused.
/// </summary>
public sealed class TeamsSignatureVerifier
{
    private const string Scheme = "HMAC ";

    private readonly byte[]? _key;

    /// <param name="securityToken">The token as Teams shows it (base64); empty or null refuses everything.</param>
    /// <exception cref="FormatException">The token is not base64.</exception>
    public TeamsSignatureVerifier(string? securityToken) =>
        _key = string.IsNullOrWhiteSpace(securityToken) ? null : Convert.FromBase64String(securityToken.Trim());

    /// <summary>Whether <paramref name="securityToken"/> is empty (endpoint closed) or valid base64.</summary>
    public static bool IsValidToken(string? securityToken)
    {
        if (string.IsNullOrWhiteSpace(securityToken)) return true;
        var trimmed = securityToken.Trim();
        return Convert.TryFromBase64String(trimmed, new byte[trimmed.Length], out var length) && length > 0;
    }

    public bool IsValid(string? authorizationHeader, ReadOnlySpan<byte> body)
    {
        if (_key is null || authorizationHeader is null || !authorizationHeader.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
            return false;

        Span<byte> presented = stackalloc byte[HMACSHA256.HashSizeInBytes];
        // A signature of any other length cannot match; its length is no secret, so refusing early leaks nothing.
        if (!Convert.TryFromBase64String(authorizationHeader[Scheme.Length..].Trim(), presented, out var written)
            || written != HMACSHA256.HashSizeInBytes)
            return false;

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, presented);
    }
}
