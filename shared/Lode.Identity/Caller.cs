using Lode.Access;

namespace Lode.Identity;

/// <summary>
/// An authenticated caller: who (for logs and the audit trail), how they proved it, and the groups whose documents
/// they may read. Retrieval filters by <see cref="Groups"/> on every path; <see cref="IsAdmin"/> opens the admin
/// endpoints but reads no extra documents.
/// </summary>
public sealed record Caller(string Name, string AuthenticationMethod, IReadOnlyList<string> Groups, bool IsAdmin)
{
    public static Caller Create(string name, string authenticationMethod, IEnumerable<string> groups, string adminGroup)
    {
        var normalized = AccessGroups.Normalize(groups);
        return new Caller(name, authenticationMethod, normalized, normalized.Contains(adminGroup, StringComparer.Ordinal));
    }
}

/// <summary>Values of <see cref="Caller.AuthenticationMethod"/>.</summary>
public static class AuthenticationMethods
{
    /// <summary>An API key, from configuration or created through the admin API.</summary>
    public const string ApiKey = "api-key";

    /// <summary>A bearer token (JWT) from the site's OpenID Connect identity provider.</summary>
    public const string Oidc = "oidc";
}
