using Microsoft.IdentityModel.Tokens;

namespace Lode.Identity;

/// <summary>How a bearer token from the identity provider is checked, from <see cref="OidcOptions"/>.</summary>
public static class OidcTokenValidation
{
    /// <summary>
    /// Asymmetric signatures only. With no symmetric algorithm allowed, a token cannot be "signed" with the provider's
    /// public key used as an HMAC secret, and <c>none</c> is refused as well (as it is by <c>RequireSignedTokens</c>).
    /// </summary>
    public static readonly IReadOnlyList<string> Algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    /// <summary>The parameters; keys from a key-set address or discovery are added by the configuration manager.</summary>
    public static TokenValidationParameters For(OidcOptions options) => new()
    {
        ValidIssuer = options.Issuer,
        ValidAudience = options.Audience,
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ValidateIssuerSigningKey = true,
        IssuerSigningKeys = OidcSigningKeys.ParseAll(options.SigningKeys),
        ValidAlgorithms = Algorithms,
        ClockSkew = TimeSpan.FromSeconds(options.ClockSkewSeconds),
        NameClaimType = options.NameClaim,
        RoleClaimType = options.GroupsClaim,
    };
}
