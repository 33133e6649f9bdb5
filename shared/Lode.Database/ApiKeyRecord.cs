namespace Lode.Database;

/// <summary>A row of <c>api_keys</c> as the rest of the app sees it: never the key, never its hash.</summary>
/// <param name="Groups">Normalized (see Lode.Access.AccessGroups).</param>
/// <param name="CreatedBy">The caller who created the key, by name.</param>
public sealed record ApiKeyRecord(
    Guid Id,
    string Name,
    IReadOnlyList<string> Groups,
    DateTimeOffset CreatedAt,
    string? CreatedBy,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt);

/// <summary>A key to store: its SHA-256 (the key itself is never stored) and whose it is.</summary>
public sealed record NewApiKeyRow(string Name, byte[] KeyHash, string[] Groups, string? CreatedBy, DateTimeOffset? ExpiresAt);
