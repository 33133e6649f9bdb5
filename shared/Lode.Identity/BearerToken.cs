namespace Lode.Identity;

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

    /// <summary>
    /// Whether <paramref name="token"/> has the shape of a JWT in compact form: header, payload and signature in
    /// base64url, separated by dots (the signature may be empty, as in an unsigned token, which validation then
    /// refuses). Generated API keys never have this shape.
    /// </summary>
    public static bool LooksLikeJwt(string token)
    {
        var parts = token.Split('.');
        return parts.Length == 3
            && parts[0].Length > 0 && parts[1].Length > 0
            && parts.All(p => Base64UrlText.IsStrict(p));
    }
}
