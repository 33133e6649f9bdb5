using Lode.Database;
using Microsoft.Extensions.Options;

namespace Lode.Identity;

/// <summary>
/// Authenticates callers by the keys created through the admin API (table <c>api_keys</c>). Nothing is cached: every
/// request looks the key up (one primary-key-sized index probe), so a revoked or expired key is refused from the very
/// next request on, on every instance.
/// </summary>
public sealed class StoredApiKeyAuthenticator(ApiKeyRepository keys, IOptions<SecurityOptions> options)
{
    /// <summary>The caller whose active key this is, or null.</summary>
    public async Task<Caller?> AuthenticateAsync(string presentedKey, CancellationToken cancellationToken)
    {
        // Every stored key was generated here: anything else cannot match, and needs no trip to the database.
        if (!ApiKeyGenerator.IsWellFormed(presentedKey)) return null;
        var key = await keys.FindActiveByHashAsync(ApiKeyHash.Of(presentedKey), cancellationToken);
        return key is null ? null : Caller.Create(key.Name, AuthenticationMethods.ApiKey, key.Groups, options.Value.AdminGroup);
    }
}
