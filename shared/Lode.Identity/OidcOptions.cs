using System.ComponentModel.DataAnnotations;

namespace Lode.Identity;

/// <summary>
/// Configuration section <c>Security:Oidc</c>: bearer tokens (JWTs) issued by the site's OpenID Connect identity
/// provider. Enabled as soon as signing keys come from somewhere: <see cref="JwksUrl"/>, <see cref="Authority"/> or
/// <see cref="SigningKeys"/>. Every token must then be signed by one of those keys (never <c>alg: none</c>), come
/// from <see cref="Issuer"/>, be meant for <see cref="Audience"/> and be within its lifetime.
/// </summary>
public sealed class OidcOptions : IValidatableObject
{
    public const string SectionName = "Security:Oidc";

    /// <summary>The <c>iss</c> every token must carry.</summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> every token must carry (the client id or API identifier registered for Lode).</summary>
    public string? Audience { get; set; }

    /// <summary>Address of the provider's JSON Web Key Set; fetched at first use and refreshed (also when a token names an unknown key).</summary>
    public string? JwksUrl { get; set; }

    /// <summary>The provider's base address: its keys are found through <c>/.well-known/openid-configuration</c>. Instead of <see cref="JwksUrl"/>.</summary>
    public string? Authority { get; set; }

    /// <summary>Public keys for sites without a key-set address: each a PEM public key or certificate, a JWK or a JWK set (JSON).</summary>
    public List<string> SigningKeys { get; set; } = [];

    /// <summary>The claim holding the caller's groups: a JSON array or repeated claims.</summary>
    public string GroupsClaim { get; set; } = "groups";

    /// <summary>The claim naming the caller in logs and the audit trail; tokens without it are named by <c>sub</c>.</summary>
    public string NameClaim { get; set; } = "preferred_username";

    /// <summary>Tolerance for clock differences with the provider when checking lifetimes.</summary>
    public int ClockSkewSeconds { get; set; } = 60;

    /// <summary>
    /// Key-set and metadata addresses must be https. Setting this to false allows plain http to loopback only (tests,
    /// a provider on the same machine); other hosts still need https.
    /// </summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Enabled => SigningKeys.Count > 0 || !string.IsNullOrWhiteSpace(JwksUrl) || !string.IsNullOrWhiteSpace(Authority);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled) yield break;
        if (string.IsNullOrWhiteSpace(Issuer))
            yield return Error("Security:Oidc:Issuer is required when OIDC tokens are accepted: the iss of the identity provider's tokens.", nameof(Issuer));
        if (string.IsNullOrWhiteSpace(Audience))
            yield return Error("Security:Oidc:Audience is required when OIDC tokens are accepted: the aud the identity provider puts in tokens for Lode.", nameof(Audience));
        if (!string.IsNullOrWhiteSpace(JwksUrl) && !string.IsNullOrWhiteSpace(Authority))
            yield return Error("Set either Security:Oidc:JwksUrl or Security:Oidc:Authority, not both.", nameof(JwksUrl));
        if (AddressProblem(nameof(JwksUrl), JwksUrl) is { } jwksProblem) yield return Error(jwksProblem, nameof(JwksUrl));
        if (AddressProblem(nameof(Authority), Authority) is { } authorityProblem) yield return Error(authorityProblem, nameof(Authority));
        for (var i = 0; i < SigningKeys.Count; i++)
        {
            if (OidcSigningKeys.Problem(SigningKeys[i]) is { } keyProblem)
                yield return Error($"Security:Oidc:SigningKeys:{i} {keyProblem}", nameof(SigningKeys));
        }
        if (string.IsNullOrWhiteSpace(GroupsClaim)) yield return Error("Security:Oidc:GroupsClaim must name a claim.", nameof(GroupsClaim));
        if (string.IsNullOrWhiteSpace(NameClaim)) yield return Error("Security:Oidc:NameClaim must name a claim.", nameof(NameClaim));
        if (ClockSkewSeconds is < 0 or > 300)
            yield return Error("Security:Oidc:ClockSkewSeconds must be from 0 to 300.", nameof(ClockSkewSeconds));
    }

    private string? AddressProblem(string setting, string? address)
    {
        if (string.IsNullOrWhiteSpace(address)) return null;
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            return $"Security:Oidc:{setting} '{address}' is not an absolute https URL.";
        if (uri.Scheme == Uri.UriSchemeHttp && (RequireHttpsMetadata || !uri.IsLoopback))
        {
            // Keys fetched over plain http could be swapped on the way, and then anyone could mint tokens.
            return $"Security:Oidc:{setting} '{address}' must use https (plain http is only allowed to loopback, with " +
                   "Security:Oidc:RequireHttpsMetadata=false).";
        }
        return null;
    }

    private static ValidationResult Error(string message, string member) => new(message, [member]);
}
