using Microsoft.Extensions.Options;

namespace Lode.Security;

/// <summary>
/// Authenticates callers by API key from configuration. Every key is checked (no early exit) so timing reveals
/// neither which key matched nor how many there are.
/// </summary>
public sealed class ApiKeyAuthenticator
{
    public const int MinimumKeyLength = 16;
    private readonly (string Name, HashedSecret Secret)[] _keys;

    public ApiKeyAuthenticator(IOptions<SecurityOptions> options)
    {
        var weak = options.Value.ApiKeys.Where(k => k.Value.Length < MinimumKeyLength).Select(k => k.Key).ToList();
        if (weak.Count > 0)
        {
            throw new InvalidOperationException(
                $"API key(s) {string.Join(", ", weak)} in Security:ApiKeys are shorter than {MinimumKeyLength} characters.");
        }
        _keys = options.Value.ApiKeys.Select(k => (k.Key, new HashedSecret(k.Value))).ToArray();
    }

    /// <summary>The caller for an Authorization header value, or null when it carries no valid key.</summary>
    public Caller? Authenticate(string? authorizationHeader)
    {
        var presented = BearerToken.From(authorizationHeader);
        if (presented is null) return null;
        Caller? caller = null;
        foreach (var (name, secret) in _keys)
        {
            if (secret.Matches(presented)) caller ??= new Caller(name, "api-key");
        }
        return caller;
    }
}
