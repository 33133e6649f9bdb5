using Lode.Access;
using Lode.Database;
using Microsoft.Extensions.Logging;

namespace Lode.Identity;

/// <summary>What an administrator asks for when creating a key.</summary>
public sealed record ApiKeyRequest(string? Name, IReadOnlyList<string?>? Groups, DateTimeOffset? ExpiresAt);

/// <summary>A key just created. <see cref="Key"/> exists here and nowhere else: only its hash is stored.</summary>
public sealed record CreatedApiKey(ApiKeyRecord Record, string Key);

/// <summary>Creates, lists and revokes the API keys kept in the database.</summary>
public sealed class ApiKeyAdministration(ApiKeyRepository keys, TimeProvider clock, ILogger<ApiKeyAdministration> logger)
{
    public const int MaxNameLength = 100;

    /// <summary>What is wrong with <paramref name="request"/>, in a sentence for the caller; null when nothing is.</summary>
    public string? Problem(ApiKeyRequest request)
    {
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name)) return "name must be a non-empty string.";
        if (name.Length > MaxNameLength) return $"name must be at most {MaxNameLength} characters.";
        // Names end up in logs and the audit trail: no line breaks or other control characters to forge entries with.
        if (name.Any(char.IsControl)) return "name must not contain control characters.";
        if (request.Groups is null || request.Groups.Count == 0) return "groups must list at least one group.";
        if (request.Groups.Any(string.IsNullOrWhiteSpace)) return "groups must not contain empty names.";
        if (request.Groups.Any(g => g!.Trim().Length > AccessGroups.MaxGroupLength))
            return $"group names must be at most {AccessGroups.MaxGroupLength} characters.";
        if (request.ExpiresAt is { } expiresAt && expiresAt <= clock.GetUtcNow()) return "expiresAt must be in the future.";
        return null;
    }

    /// <summary>Generates a key and stores its hash. <paramref name="request"/> must have no <see cref="Problem"/>.</summary>
    public async Task<CreatedApiKey> CreateAsync(ApiKeyRequest request, Caller createdBy, CancellationToken cancellationToken)
    {
        if (Problem(request) is { } problem) throw new ArgumentException(problem, nameof(request));
        var key = ApiKeyGenerator.NewKey();
        var record = await keys.CreateAsync(
            new NewApiKeyRow(request.Name!.Trim(), ApiKeyHash.Of(key), AccessGroups.Normalize(request.Groups!), createdBy.Name, request.ExpiresAt),
            cancellationToken);
        logger.LogInformation("API key {KeyId} ({KeyName}) created by {Caller}", record.Id, record.Name, createdBy.Name);
        return new CreatedApiKey(record, key);
    }

    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken) => keys.ListAsync(cancellationToken);

    /// <summary>Revokes the key at once (see <see cref="StoredApiKeyAuthenticator"/>); false when no key has that id.</summary>
    public async Task<bool> RevokeAsync(Guid id, Caller revokedBy, CancellationToken cancellationToken)
    {
        var revoked = await keys.RevokeAsync(id, cancellationToken);
        if (revoked) logger.LogInformation("API key {KeyId} revoked by {Caller}", id, revokedBy.Name);
        return revoked;
    }
}
