using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Lode.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Lode.Tests.Security;

/// <summary>The pure parts of telling callers apart: key and token shapes, configured signing keys, claims, addresses.</summary>
public sealed class CredentialFormatTests
{
    [Fact]
    public void Generated_keys_are_prefixed_256_bit_base64url_and_never_repeat()
    {
        var keys = Enumerable.Range(0, 100).Select(_ => ApiKeyGenerator.NewKey()).ToList();

        Assert.All(keys, k => Assert.Matches("^lode_[A-Za-z0-9_-]{43}$", k));
        Assert.All(keys, k => Assert.True(ApiKeyGenerator.IsWellFormed(k)));
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
        Assert.All(keys, k => Assert.False(BearerToken.LooksLikeJwt(k)));
    }

    [Theory]
    [InlineData("lode_tooshort")]
    [InlineData("fixture-api-key-0123456789")]
    [InlineData("LODE_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("lode_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+")]
    public void Other_strings_are_not_taken_for_generated_keys(string key) => Assert.False(ApiKeyGenerator.IsWellFormed(key));

    [Theory]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", true)]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", true)]
    [InlineData("fixture-api-key-0123456789", false)]
    [InlineData("a.b", false)]
    [InlineData("a.b.c.d", false)]
    [InlineData(".eyJzdWIiOiJ4In0.c2ln", false)]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJz dWIi.c2ln", false)]
    [InlineData("key.with.dots!", false)]
    public void A_jwt_is_recognized_by_its_three_base64url_parts(string value, bool expected) =>
        Assert.Equal(expected, BearerToken.LooksLikeJwt(value));

    [Fact]
    public void Rsa_and_ec_public_keys_certificates_and_jwks_are_read()
    {
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=idp", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var provider = new TestIdentityProvider();
        provider.AddKey();

        Assert.IsType<RsaSecurityKey>(Assert.Single(OidcSigningKeys.Parse(rsa.ExportSubjectPublicKeyInfoPem())));
        Assert.IsType<RsaSecurityKey>(Assert.Single(OidcSigningKeys.Parse(rsa.ExportRSAPublicKeyPem())));
        Assert.IsType<ECDsaSecurityKey>(Assert.Single(OidcSigningKeys.Parse(ec.ExportSubjectPublicKeyInfoPem())));
        Assert.IsType<X509SecurityKey>(Assert.Single(OidcSigningKeys.Parse(certificate.ExportCertificatePem())));
        Assert.Equal(["key-1", "key-2"], OidcSigningKeys.Parse(provider.JwksJson()).Select(k => k.KeyId));
        var oneKey = System.Text.Json.JsonDocument.Parse(provider.JwksJson()).RootElement.GetProperty("keys")[0].GetRawText();
        Assert.Equal("key-1", Assert.Single(OidcSigningKeys.Parse(oneKey)).KeyId);
    }

    [Fact]
    public void Private_symmetric_and_unreadable_keys_are_refused_with_a_reason()
    {
        using var rsa = RSA.Create(2048);
        var privateJwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(true)));

        Assert.Contains("private key", OidcSigningKeys.Problem(rsa.ExportPkcs8PrivateKeyPem()));
        Assert.Contains("private key", OidcSigningKeys.Problem(System.Text.Json.JsonSerializer.Serialize(new
        {
            kty = "RSA", n = privateJwk.N, e = privateJwk.E, d = privateJwk.D, p = privateJwk.P, q = privateJwk.Q,
        })));
        Assert.Contains("'oct'", OidcSigningKeys.Problem("""{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQ"}"""));
        Assert.NotNull(OidcSigningKeys.Problem("-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----"));
        Assert.NotNull(OidcSigningKeys.Problem("{not json"));
        Assert.NotNull(OidcSigningKeys.Problem("just some text"));
        Assert.NotNull(OidcSigningKeys.Problem(""));
        Assert.Null(OidcSigningKeys.Problem(rsa.ExportSubjectPublicKeyInfoPem()));
    }

    [Fact]
    public void Claims_become_a_caller_named_by_the_name_claim_or_sub_with_its_groups()
    {
        var callers = new OidcCallers(Options.Create(new OidcOptions()), Options.Create(new SecurityOptions()));

        var named = callers.From(Principal(new("sub", "u-1"), new("preferred_username", "alice"), new("groups", "hr"), new("groups", "lode-admins")))!;
        var bySub = callers.From(Principal(new("sub", "u-2"), new("preferred_username", "bad\nname"),
            new("groups", "[\"finance\",\"hr\"]", JsonClaimValueTypes.JsonArray)))!;

        Assert.Equal("alice", named.Name);
        Assert.Equal(AuthenticationMethods.Oidc, named.AuthenticationMethod);
        Assert.Equal(["hr", "lode-admins"], named.Groups);
        Assert.True(named.IsAdmin);
        Assert.Equal("u-2", bySub.Name);
        Assert.Equal(["finance", "hr"], bySub.Groups);
        Assert.False(bySub.IsAdmin);
        Assert.Null(callers.From(Principal(new Claim("groups", "hr"))));
    }

    [Fact]
    public void The_claims_named_in_the_settings_are_the_ones_read()
    {
        var callers = new OidcCallers(
            Options.Create(new OidcOptions { NameClaim = "upn", GroupsClaim = "roles" }), Options.Create(new SecurityOptions()));

        var caller = callers.From(Principal(new("sub", "u-3"), new("upn", "carol@corp"), new("roles", "ops"), new("groups", "hr")))!;

        Assert.Equal("carol@corp", caller.Name);
        Assert.Equal(["ops"], caller.Groups);
    }

    [Theory]
    [InlineData("203.0.113.9", "203.0.113.9")]
    [InlineData("::ffff:203.0.113.9", "203.0.113.9")]
    [InlineData("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64")]
    public void Addresses_count_alone_for_ipv4_and_per_64_for_ipv6(string address, string key) =>
        Assert.Equal(key, CallerRateLimiter.AddressKey(IPAddress.Parse(address)));

    private static ClaimsPrincipal Principal(params Claim[] claims) => new(new ClaimsIdentity(claims, "test"));
}
