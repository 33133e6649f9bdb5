using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Lode.Identity;

/// <summary>Turns the claims of a validated identity-provider token into a <see cref="Caller"/>.</summary>
public sealed class OidcCallers(IOptions<OidcOptions> oidc, IOptions<SecurityOptions> security)
{
    /// <summary>The caller, or null when the token names nobody (neither the name claim nor <c>sub</c>).</summary>
    public Caller? From(ClaimsPrincipal principal)
    {
        var options = oidc.Value;
        var name = FirstValue(principal, options.NameClaim) ?? FirstValue(principal, "sub");
        if (name is null) return null;
        var groups = principal.FindAll(options.GroupsClaim).SelectMany(GroupsIn).OfType<string>();
        return Caller.Create(name, AuthenticationMethods.Oidc, groups, security.Value.AdminGroup);
    }

    // Names go into logs and the audit trail: one with line breaks or other control characters could forge entries.
    private static string? FirstValue(ClaimsPrincipal principal, string type) =>
        principal.FindAll(type).Select(c => c.Value.Trim()).FirstOrDefault(v => v.Length > 0 && !v.Any(char.IsControl));

    // A JSON array usually arrives as one claim per element; a nested or re-serialized one arrives as JSON text.
    private static IEnumerable<string?> GroupsIn(Claim claim)
    {
        if (claim.ValueType != JsonClaimValueTypes.JsonArray) return [claim.Value];
        try
        {
            return JsonSerializer.Deserialize<string?[]>(claim.Value) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
