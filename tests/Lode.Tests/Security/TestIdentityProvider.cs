using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Lode.Tests.Security;

/// <summary>
/// Plays the site's identity provider: RSA signing keys generated here, tokens signed with them (or tampered with),
/// and the keys as a PEM or a JSON Web Key Set.
/// </summary>
public sealed class TestIdentityProvider : IDisposable
{
    public const string Issuer = "https://idp.test/realms/lode";
    public const string Audience = "lode-api";

    private readonly List<SigningKey> _keys = [];

    public TestIdentityProvider() => AddKey();

    /// <summary>The key tokens are signed with unless a test says otherwise: the newest.</summary>
    public SigningKey Current => _keys[^1];

    public IReadOnlyList<SigningKey> Keys => _keys;

    /// <summary>Generates another key (a rotation); it becomes <see cref="Current"/>.</summary>
    public SigningKey AddKey()
    {
        var key = new SigningKey($"key-{_keys.Count + 1}", RSA.Create(2048));
        _keys.Add(key);
        return key;
    }

    /// <summary>Every key as a JSON Web Key Set, the document a JWKS address serves.</summary>
    public string JwksJson(IEnumerable<SigningKey>? keys = null) => JsonSerializer.Serialize(new
    {
        keys = (keys ?? _keys).Select(k =>
        {
            var parameters = k.Rsa.ExportParameters(includePrivateParameters: false);
            return new
            {
                kty = "RSA",
                use = "sig",
                alg = "RS256",
                kid = k.Id,
                n = Base64Url.EncodeToString(parameters.Modulus),
                e = Base64Url.EncodeToString(parameters.Exponent),
            };
        }),
    });

    /// <summary>A signed token. Claims are added as given (arrays become JSON arrays).</summary>
    public string Token(
        IReadOnlyDictionary<string, object> claims,
        string issuer = Issuer,
        string audience = Audience,
        DateTime? expires = null,
        SigningKey? key = null)
    {
        var now = DateTime.UtcNow;
        var expiry = expires ?? now.AddMinutes(10);
        var signingKey = key ?? Current;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = expiry.AddMinutes(-20),
            NotBefore = expiry.AddMinutes(-20),
            Expires = expiry,
            Claims = claims.ToDictionary(c => c.Key, c => c.Value),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(signingKey.Rsa) { KeyId = signingKey.Id }, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>A token of a user with a name and groups, signed by <see cref="Current"/>.</summary>
    public string UserToken(string name, params string[] groups) =>
        Token(new Dictionary<string, object> { ["sub"] = $"id-{name}", ["preferred_username"] = name, ["groups"] = groups });

    /// <summary>An unsigned token (<c>alg: none</c>) with otherwise valid claims.</summary>
    public static string UnsignedToken(string name, params string[] groups)
    {
        var expires = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        var header = JsonSerializer.Serialize(new { alg = "none", typ = "JWT" });
        var payload = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["iss"] = Issuer, ["aud"] = Audience, ["exp"] = expires, ["sub"] = $"id-{name}", ["preferred_username"] = name,
            ["groups"] = groups,
        });
        return $"{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header))}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload))}.";
    }

    public void Dispose()
    {
        foreach (var key in _keys) key.Rsa.Dispose();
    }

    public sealed record SigningKey(string Id, RSA Rsa)
    {
        public string PublicKeyPem => Rsa.ExportSubjectPublicKeyInfoPem();
    }
}
