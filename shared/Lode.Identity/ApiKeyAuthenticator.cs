using System.Security.Cryptography;
using Lode.Access;
using Microsoft.Extensions.Options;

namespace Lode.Identity;

/// <summary>
/// Authenticates callers by the API keys in configuration (<see cref="SecurityOptions.ApiKeys"/>). Only hashes are
/// held; every configured hash is compared in constant time with no early exit, so timing reveals neither which key
/// matched nor how many there are.
/// </summary>
public sealed class ApiKeyAuthenticator
{
    private readonly (string Name, byte[] Hash, string[] Groups, DateTimeOffset? ExpiresAt)[] _keys;
    private readonly string _adminGroup;
    private readonly TimeProvider _clock;

    public ApiKeyAuthenticator(IOptions<SecurityOptions> options, TimeProvider clock)
    {
        var malformed = options.Value.ApiKeys.Where(k => ApiKeyHash.TryParseHex(k.Value.Sha256) is null).Select(k => k.Key).ToList();
        if (malformed.Count > 0)
        {
            throw new InvalidOperationException(
                $"Security:ApiKeys:{string.Join(", ", malformed)}:Sha256 must be the 64-hex-digit SHA-256 of the key " +
                "(printf %s \"$KEY\" | sha256sum).");
        }
        _keys = options.Value.ApiKeys
            .Select(k => (k.Key, ApiKeyHash.TryParseHex(k.Value.Sha256)!, AccessGroups.Normalize(k.Value.Groups), k.Value.ExpiresAt))
            .ToArray();
        _adminGroup = options.Value.AdminGroup;
        _clock = clock;
    }

    /// <summary>The caller whose key this is, or null when no configured key matches or the key has expired.</summary>
    public Caller? Authenticate(string presentedKey)
    {
        var presented = ApiKeyHash.Of(presentedKey);
        Caller? caller = null;
        var now = _clock.GetUtcNow();
        foreach (var (name, hash, groups, expiresAt) in _keys)
        {
            var matches = CryptographicOperations.FixedTimeEquals(hash, presented);
            if (matches && caller is null && (expiresAt is null || expiresAt > now))
                caller = Caller.Create(name, AuthenticationMethods.ApiKey, groups, _adminGroup);
        }
        return caller;
    }
}
