namespace Lode.Security;

/// <summary>Reads the token from an <c>Authorization: Bearer &lt;token&gt;</c> header value.</summary>
public static class BearerToken
{
    public static string? From(string? authorizationHeader)
    {
        const string scheme = "Bearer ";
        if (authorizationHeader is null || !authorizationHeader.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var token = authorizationHeader[scheme.Length..].Trim();
        return token.Length == 0 ? null : token;
    }
}
