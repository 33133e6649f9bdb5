using System.Text;
using Lode.Teams;

namespace Lode.Tests.Teams;

/// <summary>The HMAC check of Teams outgoing webhooks, against signatures computed the way Teams computes them.</summary>
public sealed class TeamsSignatureVerifierTests
{
    private static readonly string Token = TeamsWebhook.NewSecurityToken();
    private static readonly byte[] Body = TeamsWebhook.Message("d6c1bd53-9d04-4e0d-a2e0-1c1bdfb1c9a0", "How many days of leave?");

    [Fact]
    public void A_known_signature_computed_by_openssl_is_accepted()
    {
        // printf %s "$BODY" | openssl dgst -sha256 -mac HMAC -macopt hexkey:000102…1f -binary | base64
        var verifier = new TeamsSignatureVerifier("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");

        Assert.True(verifier.IsValid("HMAC DUQNWPJW8bvoOFUxhAbcXzzDtftOV8cVCA5g0+Qb+Fo=",
            Encoding.UTF8.GetBytes("""{"type":"message","text":"<at>Lode</at> hi"}""")));
    }

    [Fact]
    public void A_body_signed_with_the_token_is_accepted() =>
        Assert.True(new TeamsSignatureVerifier(Token).IsValid(TeamsWebhook.Sign(Token, Body), Body));

    [Fact]
    public void A_signature_made_with_another_token_is_refused() =>
        Assert.False(new TeamsSignatureVerifier(Token).IsValid(TeamsWebhook.Sign(TeamsWebhook.NewSecurityToken(), Body), Body));

    [Fact]
    public void A_body_changed_after_signing_is_refused()
    {
        var signature = TeamsWebhook.Sign(Token, Body);
        var tampered = (byte[])Body.Clone();
        tampered[^5] ^= 0x01;

        Assert.False(new TeamsSignatureVerifier(Token).IsValid(signature, tampered));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("HMAC ")]
    [InlineData("HMAC not-base64!")]
    [InlineData("HMAC AAAA")]
    public void A_missing_or_malformed_header_is_refused(string? header) =>
        Assert.False(new TeamsSignatureVerifier(Token).IsValid(header, Body));

    [Fact]
    public void The_right_signature_under_another_scheme_is_refused() =>
        Assert.False(new TeamsSignatureVerifier(Token).IsValid(TeamsWebhook.Sign(Token, Body).Replace("HMAC ", "Bearer "), Body));

    [Fact]
    public void A_signature_with_trailing_bytes_is_refused()
    {
        var signature = Convert.FromBase64String(TeamsWebhook.Sign(Token, Body)["HMAC ".Length..]);
        Assert.False(new TeamsSignatureVerifier(Token).IsValid("HMAC " + Convert.ToBase64String([.. signature, 0]), Body));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Without_a_token_everything_is_refused_even_a_signature_with_an_empty_key(string? token)
    {
        using var emptyKey = new System.Security.Cryptography.HMACSHA256([]);
        var signedWithEmptyKey = "HMAC " + Convert.ToBase64String(emptyKey.ComputeHash(Body));

        Assert.False(new TeamsSignatureVerifier(token).IsValid(signedWithEmptyKey, Body));
    }

    [Fact]
    public void A_token_that_is_not_base64_is_rejected_at_configuration()
    {
        Assert.False(TeamsSignatureVerifier.IsValidToken("not base64 at all!"));
        Assert.True(TeamsSignatureVerifier.IsValidToken(Token));
        Assert.True(TeamsSignatureVerifier.IsValidToken(""));
        Assert.Throws<FormatException>(() => new TeamsSignatureVerifier("not base64 at all!"));
    }
}
