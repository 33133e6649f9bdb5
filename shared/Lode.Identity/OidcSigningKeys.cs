using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;

namespace Lode.Identity;

/// <summary>
/// Reads the configured public keys of <see cref="OidcOptions.SigningKeys"/>: PEM (<c>PUBLIC KEY</c>,
/// <c>RSA PUBLIC KEY</c>, <c>CERTIFICATE</c>), a JWK or a JWK set. Only asymmetric public keys are accepted: a shared
/// secret or a private key in configuration is a mistake worth stopping for.
/// </summary>
public static class OidcSigningKeys
{
    /// <summary>The keys in one configured entry (a JWK set may hold several).</summary>
    public static IReadOnlyList<SecurityKey> Parse(string entry)
    {
        var text = entry.Trim();
        if (text.StartsWith('{')) return ParseJson(text);
        if (text.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            throw new FormatException("is a private key: configure the provider's public key only.");
        if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            return [new X509SecurityKey(X509Certificate2.CreateFromPem(text))];
        if (!text.Contains("PUBLIC KEY-----", StringComparison.Ordinal))
            throw new FormatException("is neither a PEM public key or certificate nor a JWK (JSON).");
        return [ImportPem(text)];
    }

    /// <summary>Every key of every entry.</summary>
    public static IReadOnlyList<SecurityKey> ParseAll(IEnumerable<string> entries) => entries.SelectMany(Parse).ToList();

    /// <summary>Why <paramref name="entry"/> cannot be used, or null when it can.</summary>
    public static string? Problem(string? entry)
    {
        if (string.IsNullOrWhiteSpace(entry)) return "is empty.";
        try
        {
            return Parse(entry).Count == 0 ? "holds no signing key." : null;
        }
        catch (Exception e) when (e is FormatException or CryptographicException or ArgumentException)
        {
            return e is FormatException ? e.Message : $"cannot be read as a key: {e.Message}";
        }
    }

    private static SecurityKey ImportPem(string pem)
    {
        // A "PUBLIC KEY" PEM does not say which algorithm it is for: try RSA, then EC.
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
        }
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
            return new ECDsaSecurityKey(ecdsa);
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }
    }

    private static IReadOnlyList<SecurityKey> ParseJson(string json)
    {
        IReadOnlyList<JsonWebKey> keys;
        try
        {
            keys = json.Contains("\"keys\"", StringComparison.Ordinal) ? new JsonWebKeySet(json).Keys.ToList() : [new JsonWebKey(json)];
        }
        catch (Exception e) when (e is ArgumentException or System.Text.Json.JsonException)
        {
            throw new FormatException($"is not a JWK or JWK set: {e.Message}");
        }
        foreach (var key in keys)
        {
            if (key.Kty is not (JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve))
                throw new FormatException($"holds a key of type '{key.Kty}': only RSA and EC public keys are accepted.");
            // "d" is the private part of RSA and EC keys alike.
            if (!string.IsNullOrEmpty(key.D))
                throw new FormatException("holds a private key: configure the provider's public keys only.");
        }
        return keys;
    }
}
